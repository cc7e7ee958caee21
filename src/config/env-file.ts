/**
 * Reading `.env` files: one parser for the project resolver (every env file of a project) and for
 * providers (the working directory's `.env`). A line that is neither `NAME=value`, a comment nor
 * empty sets nothing and earns one warning, `file:line:1 warning: …`; the line itself is never
 * quoted back, since it may hold a secret. Such lines are blanked before node's parser sees them:
 * left in, node folds a bad line into the next variable's name and that variable is lost.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

export interface EnvFile {
  values: Record<string, string | undefined>;
  warnings: string[];
}

/** A missing or unreadable file reads as empty (`.env` is usually absent in CI). */
export function readEnvFile(file: string): EnvFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { values: {}, warnings: [] };
  }
  const unreadable = unreadableLines(text);
  if (unreadable.length === 0) return { values: parseEnv(text), warnings: [] };
  const skipped = new Set(unreadable);
  const readable = text
    .split(/\r?\n/)
    .map((line, index) => (skipped.has(index + 1) ? "" : line))
    .join("\n");
  const shown = path.relative(process.cwd(), file) || file;
  return {
    values: parseEnv(readable),
    warnings: unreadable.map((line) => `${shown}:${line}:1 warning: line ${line} is ignored: expected NAME=value, a comment (#) or an empty line`),
  };
}

/** Later files win; their warnings in file order. */
export function readEnvFiles(files: readonly string[]): EnvFile {
  const merged: EnvFile = { values: {}, warnings: [] };
  for (const file of new Set(files)) {
    const read = readEnvFile(file);
    Object.assign(merged.values, read.values);
    merged.warnings.push(...read.warnings);
  }
  return merged;
}

const assignment = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*)$/;

/** 1-based numbers of the lines that are neither empty, a comment, nor (the start of) an assignment. */
export function unreadableLines(text: string): number[] {
  const lines = text.split(/\r?\n/);
  const unreadable: number[] = [];
  let openQuote: string | undefined;
  lines.forEach((raw, index) => {
    if (openQuote !== undefined) {
      // Inside a quoted value that spans lines: it ends at its closing quote.
      if (raw.includes(openQuote)) openQuote = undefined;
      return;
    }
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = assignment.exec(line);
    if (!match) {
      unreadable.push(index + 1);
      return;
    }
    const value = match[1]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === "`") && !value.slice(1).includes(quote)) openQuote = quote;
  });
  return unreadable;
}
