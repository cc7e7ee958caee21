/**
 * `${NAME}` and `${NAME:-default}` in the string values of a routing policy, so one policy
 * file works on laptops and CI (`base_url: "${OLLAMA_HOST:-http://127.0.0.1:11434}"`);
 * `$${` writes a literal `${`. As in the shell, `:-` also replaces a variable set to "".
 *
 * Variables can hold secrets, so no diagnostic ever contains a variable's value: only names
 * and the text written in the file.
 */
import { formatDocumentPath } from "./diagnostic.js";
import type { Diagnostic, DocumentPath } from "./diagnostic.js";
import type { SourceDocument } from "./yaml-document.js";

const referencePattern = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export function expandEnvironment(
  document: SourceDocument,
  value: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const expand = (node: unknown, path: DocumentPath): unknown => {
    if (typeof node === "string") return expandString(node, path, env, document, diagnostics);
    if (Array.isArray(node)) return node.map((item, index) => expand(item, [...path, index]));
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, expand(child, [...path, key])]));
    }
    return node;
  };
  return { value: expand(value, []), diagnostics };
}

function expandString(
  text: string,
  path: DocumentPath,
  env: NodeJS.ProcessEnv,
  document: SourceDocument,
  diagnostics: Diagnostic[],
): string {
  const report = (offset: number, message: string, suggestion: string, expected?: string): void => {
    const before = text.slice(0, offset).split("\n");
    const position = document.locateInScalar(path, before.length - 1, before[before.length - 1]?.length ?? 0);
    diagnostics.push({
      file: document.file,
      line: position.line,
      column: position.column,
      path: formatDocumentPath(path),
      message,
      ...(expected === undefined ? {} : { expected }),
      suggestion,
    });
  };

  let output = "";
  let index = 0;
  while (index < text.length) {
    if (text.startsWith("$${", index)) {
      output += "${";
      index += 3;
      continue;
    }
    if (!text.startsWith("${", index)) {
      output += text[index];
      index++;
      continue;
    }
    const close = text.indexOf("}", index + 2);
    if (close < 0) {
      report(index, `unclosed "\${" (no "}" after it)`, 'close it with "}", or write "$${" for a literal "${"');
      return output + text.slice(index);
    }
    const reference = text.slice(index + 2, close);
    const match = referencePattern.exec(reference);
    const name = match?.[1];
    if (match === null || name === undefined) {
      report(index, `"\${${reference}}" is not a valid environment variable reference`, 'write "$${" for a literal "${"', "${NAME} or ${NAME:-default}");
    } else {
      const fallback = match[2];
      const current = env[name];
      if (current !== undefined && (fallback === undefined || current !== "")) output += current;
      else if (fallback !== undefined) output += fallback;
      else report(index, `environment variable "${name}" is not set`, `set it, or give a default: \${${name}:-value}`);
    }
    index = close + 1;
  }
  return output;
}

/** Whether the file's text for a value refers to a variable (and not only writes `$${`). */
function refersToEnvironment(text: string): boolean {
  return /(^|[^$])\$\{/.test(text);
}

/**
 * Schema messages quote the value they reject, which after expansion may be a secret: for values
 * that came from variables, say what the file wrote instead, and drop the did-you-mean.
 */
export function hideExpandedValues(diagnostics: readonly Diagnostic[], rawValue: unknown): Diagnostic[] {
  const written = new Map<string, string>();
  const collect = (node: unknown, path: DocumentPath): void => {
    if (typeof node === "string" && refersToEnvironment(node)) written.set(formatDocumentPath(path), node);
    else if (Array.isArray(node)) node.forEach((item, index) => collect(item, [...path, index]));
    else if (typeof node === "object" && node !== null) {
      for (const [key, child] of Object.entries(node)) collect(child, [...path, key]);
    }
  };
  collect(rawValue, []);
  return diagnostics.map((diagnostic) => {
    const text = written.get(diagnostic.path);
    // "expected a number, got a string" describes the value without showing it: keep it.
    if (text === undefined || diagnostic.message.startsWith("expected ")) return diagnostic;
    const { suggestion: _hidden, ...rest } = diagnostic;
    return { ...rest, message: `${JSON.stringify(text)} does not expand to a valid value` };
  });
}
