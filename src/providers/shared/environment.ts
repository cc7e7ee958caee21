/**
 * The variables providers may read: `.env` in the working directory overlaid by the real
 * environment (the real one wins, as dotenv tools do). Parsed into a copy; `process.env` is never
 * changed, so one run's `.env` cannot leak into another's.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import type { ProviderContext } from "../context.js";

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The lines of `.env` that set nothing because they are not `NAME=value` (node's parser skips them
 * without a word): one warning each, `file:line:column warning: …`. The line itself is not quoted
 * back: it may hold a secret.
 */
export function dotEnvWarnings(workingDirectory: string): string[] {
  const file = path.join(workingDirectory, ".env");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const shown = path.relative(process.cwd(), file) || file;
  return unreadableLines(text).map(
    (line) => `${shown}:${line}:1 warning: line ${line} is ignored: expected NAME=value, a comment (#) or an empty line`,
  );
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

export function loadEnvironment(context: Pick<ProviderContext, "env" | "workingDirectory">): Environment {
  let fromFile: Record<string, string | undefined> = {};
  try {
    fromFile = parseEnv(readFileSync(path.join(context.workingDirectory, ".env"), "utf8"));
  } catch {
    // No `.env` (the usual case) or unreadable: the real environment alone applies.
  }
  return { ...fromFile, ...context.env };
}
