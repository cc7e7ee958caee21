/** Runs the CLI in-process (fast, for most tests) or as a child process (exit codes, signals, stack traces). */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { createStyle, type CliOutput } from "../../src/cli/output.js";

/** Absolute, so the child process finds tsx whatever its working directory. */
const tsxLoader = import.meta.resolve("tsx");

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The `ORCH_HOME` of every command a test runs without naming one: a folder of this test process,
 * never the user's `~/.orch`, so a test without `--db` neither reads nor writes the real database.
 */
export const testOrchHome = mkdtempSync(path.join(os.tmpdir(), "orch-test-home-"));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output: CliOutput = {
    out: (text) => stdout.push(`${text}\n`),
    err: (text) => stderr.push(`${text}\n`),
    interactive: false,
    style: createStyle(false),
    // PATH as a shell always has it (validators and CLI tools are found through it).
    env: { PATH: process.env.PATH, ORCH_HOME: testOrchHome, ...env, CI: "true" },
    stdout: process.stdout,
  };
  const code = await main(args, output);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

export function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onSpawn?: (child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, path.join(repositoryRoot, "test/support/cli-entry.ts"), ...args], {
      cwd: options.cwd ?? repositoryRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ORCH_HOME: testOrchHome, CI: "true", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    options.onSpawn?.(child);
  });
}

export function temporaryDirectory(prefix = "orch-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
