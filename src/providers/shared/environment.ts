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

export function loadEnvironment(context: Pick<ProviderContext, "env" | "workingDirectory">): Environment {
  let fromFile: Record<string, string | undefined> = {};
  try {
    fromFile = parseEnv(readFileSync(path.join(context.workingDirectory, ".env"), "utf8"));
  } catch {
    // No `.env` (the usual case) or unreadable: the real environment alone applies.
  }
  return { ...fromFile, ...context.env };
}
