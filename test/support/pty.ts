/**
 * The CLI in a real pseudo-terminal, as a person runs it: stdout is a TTY, so the listr2 view is
 * used, and Ctrl-C is the \x03 byte typed into the terminal (the terminal turns it into SIGINT for
 * the foreground process, as a shell does). No node-pty: util-linux `script`, else python3's `pty`.
 */
import { spawn, spawnSync } from "node:child_process";
import { repositoryRoot } from "./cli.js";
import path from "node:path";

const tsxLoader = import.meta.resolve("tsx");

export type PtyTool = "script" | "python3";

/** The first way to get a pseudo-terminal this machine has, or undefined (the test then skips). */
export function findPtyTool(): PtyTool | undefined {
  for (const tool of ["script", "python3"] as const) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0) return tool;
  }
  return undefined;
}

export interface PtyRun {
  /** Everything the terminal showed, escape sequences included. */
  screen: string;
  code: number;
  /** Whether the \x03 byte was typed (its trigger appeared). */
  interrupted: boolean;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Relays stdin to the terminal and the terminal to stdout; exits with the child's status. */
const pythonPty = `
import os, pty, sys, select, struct, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", sys.argv[1]])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
while True:
    ready, _, _ = select.select([fd, 0], [], [])
    if fd in ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 1024)
        if data:
            os.write(fd, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;

/**
 * Runs `orch <args>` in `cwd` inside a pseudo-terminal and types Ctrl-C once `trigger` shows on
 * the screen. Gives up (and says so) after `limitMs`, so a run that never shows it fails, not hangs.
 */
export function runCliInPty(tool: PtyTool, args: string[], options: { cwd: string; trigger: RegExp; limitMs?: number }): Promise<PtyRun> {
  const command = [process.execPath, "--import", tsxLoader, path.join(repositoryRoot, "test/support/cli-entry.ts"), ...args].map(quote).join(" ");
  // A fixed size: a zero-column terminal would wrap every character onto its own line.
  const shell = `stty cols 120 rows 40 2>/dev/null; exec ${command}`;
  const child =
    tool === "script"
      ? spawn("script", ["-qefc", shell, "/dev/null"], { cwd: options.cwd, env: terminalEnv(), stdio: ["pipe", "pipe", "pipe"] })
      : spawn("python3", ["-c", pythonPty, shell], { cwd: options.cwd, env: terminalEnv(), stdio: ["pipe", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let screen = "";
    let interrupted = false;
    const limit = setTimeout(() => child.kill("SIGKILL"), options.limitMs ?? 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      screen += chunk.toString();
      if (!interrupted && options.trigger.test(screen)) {
        interrupted = true;
        child.stdin.write("\x03");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (screen += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(limit);
      child.stdin.destroy();
      resolve({ screen, code: code ?? (signal ? 128 : 1), interrupted });
    });
  });
}

/** An interactive terminal's environment: no CI marker, a terminal type listr2 draws on. */
function terminalEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TERM: "xterm-256color", LANG: "C.UTF-8" };
}
