/**
 * Runs a program without a shell: arguments go to the program exactly as given, so nothing in a
 * prompt or a model name can become a command. The prompt goes to stdin. On abort (timeout or
 * Ctrl-C) the process gets SIGTERM, then SIGKILL if it lingers.
 */
import { spawn } from "node:child_process";

/** Keeps the end of stderr: where tools put the reason they failed. */
const stderrTailLength = 2_000;
/** A runaway tool must not fill memory. */
const stdoutLimit = 16 * 1024 * 1024;
const killGraceMs = 2_000;

export interface CommandResult {
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
}

export type CommandOutcome = { started: true; result: CommandResult } | { started: false; error: NodeJS.ErrnoException };

export function runCommand(options: {
  program: string;
  args: string[];
  stdin: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const child = spawn(options.program, options.args, {
      shell: false,
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    let stdout = "";
    let stderr = "";
    let killTimer: NodeJS.Timeout | undefined;

    const onAbort = (): void => {
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), killGraceMs);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8").on("data", (piece: string) => {
      if (stdout.length < stdoutLimit) stdout += piece;
    });
    child.stderr.setEncoding("utf8").on("data", (piece: string) => {
      stderr = (stderr + piece).slice(-stderrTailLength);
    });
    // A tool that exits without reading its stdin closes the pipe; that is not our failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin);

    child.once("error", (error: NodeJS.ErrnoException) => {
      options.signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      resolve({ started: false, error });
    });
    child.once("close", (exitCode, exitSignal) => {
      options.signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      resolve({ started: true, result: { exitCode, exitSignal, stdout, stderrTail: stderr } });
    });
  });
}
