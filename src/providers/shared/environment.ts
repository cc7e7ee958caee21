/**
 * The variables providers may read: `.env` in the working directory overlaid by the real
 * environment (the real one wins, as dotenv tools do). Parsed into a copy; `process.env` is never
 * changed, so one run's `.env` cannot leak into another's.
 */
import path from "node:path";
import { readEnvFile } from "../../config/env-file.js";
import type { ProviderContext } from "../context.js";

export type Environment = Readonly<Record<string, string | undefined>>;

export function loadEnvironment(context: Pick<ProviderContext, "env" | "workingDirectory">): Environment {
  return { ...readEnvFile(path.join(context.workingDirectory, ".env")).values, ...context.env };
}
