/**
 * Languages of code outputs: which fence tags name a language (```ts, ```typescript) and which
 * file extensions imply one. Unknown languages still work: their own name is their only tag.
 */

const fenceTags: Record<string, readonly string[]> = {
  typescript: ["typescript", "ts", "tsx", "mts", "cts"],
  javascript: ["javascript", "js", "jsx", "mjs", "cjs", "node"],
  python: ["python", "py", "python3"],
  bash: ["bash", "sh", "shell", "zsh"],
  ruby: ["ruby", "rb"],
  rust: ["rust", "rs"],
  go: ["go", "golang"],
  java: ["java"],
  kotlin: ["kotlin", "kt"],
  csharp: ["csharp", "cs", "c#"],
  cpp: ["cpp", "c++", "cc", "hpp", "cxx"],
  c: ["c", "h"],
  json: ["json", "jsonc"],
  yaml: ["yaml", "yml"],
  markdown: ["markdown", "md"],
  html: ["html"],
  css: ["css"],
  sql: ["sql"],
  php: ["php"],
  swift: ["swift"],
};

const aliases = new Map<string, string>(Object.entries(fenceTags).flatMap(([language, tags]) => tags.map((tag) => [tag, language] as const)));

/** The canonical name of a language written as `ts`, `TypeScript`, `py`… (or the name itself). */
export function canonicalLanguage(name: string): string {
  const lower = name.trim().toLowerCase();
  return aliases.get(lower) ?? lower;
}

/** Fence tags that mean this language. */
export function fenceTagsOf(language: string): readonly string[] {
  const canonical = canonicalLanguage(language);
  return fenceTags[canonical] ?? [canonical];
}

const extensions: Record<string, string> = {
  ts: "typescript", tsx: "typescript", mts: "typescript", cts: "typescript",
  js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript",
  py: "python", sh: "bash", bash: "bash", rb: "ruby", rs: "rust", go: "go", java: "java", kt: "kotlin",
  cs: "csharp", cpp: "cpp", cc: "cpp", hpp: "cpp", c: "c", h: "c", json: "json", yaml: "yaml", yml: "yaml",
  md: "markdown", html: "html", css: "css", sql: "sql", php: "php", swift: "swift",
};

/** The language a file's extension implies, if any; templated names are read up to their extension. */
export function languageOfFile(file: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : extensions[extension];
}

const preferredExtension: Record<string, string> = {
  typescript: ".ts", javascript: ".mjs", python: ".py", bash: ".sh", ruby: ".rb", rust: ".rs", go: ".go", java: ".java",
  kotlin: ".kt", csharp: ".cs", cpp: ".cpp", c: ".c", json: ".json", yaml: ".yaml", markdown: ".md", html: ".html",
  css: ".css", sql: ".sql", php: ".php", swift: ".swift",
};

/** An extension for a staged file that has no output path of its own. */
export function extensionOf(format: string, language: string | undefined): string {
  if (format === "json") return ".json";
  if (format === "markdown") return ".md";
  if (format === "code" && language) return preferredExtension[canonicalLanguage(language)] ?? ".txt";
  return ".txt";
}
