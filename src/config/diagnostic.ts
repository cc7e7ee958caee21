import { OrchError, exitCodes } from "../errors/orch-error.js";

/** One problem found in a config file, pointing at the exact place. */
export interface Diagnostic {
  /** The file as the user named it (relative paths stay relative, so messages stay short). */
  file: string;
  /** 1-based line and column of the offending node (the key for unknown keys, else the value). */
  line: number;
  column: number;
  /** Path in the document, for example `steps.draft.needs[0]`; empty for the whole document. */
  path: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What was expected there, when it can be said. */
  expected?: string;
  /** How to fix it, for example `did you mean "collect"?`. */
  suggestion?: string;
}

export type DocumentPath = ReadonlyArray<string | number>;

export function formatDocumentPath(path: DocumentPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** `file:line:col path: message (expected …) — suggestion` on one line, as compilers print them. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
  const path = diagnostic.path ? ` ${diagnostic.path}:` : "";
  const expected = diagnostic.expected ? ` (expected ${diagnostic.expected})` : "";
  const suggestion = diagnostic.suggestion ? ` — ${diagnostic.suggestion}` : "";
  return `${where}${path} ${diagnostic.message}${expected}${suggestion}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}

/** Every problem found in one or more config files. Exit code 2; nothing has been written. */
export class ConfigError extends OrchError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = [...diagnostics].sort(compareDiagnostics);
    const count = sorted.length === 1 ? "1 error" : `${sorted.length} errors`;
    super({
      message: `${count} in configuration:\n${sorted.map(formatDiagnostic).join("\n")}`,
      exitCode: exitCodes.invalidConfigOrUsage,
    });
    this.name = "ConfigError";
    this.diagnostics = sorted;
  }
}
