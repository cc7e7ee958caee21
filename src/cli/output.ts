/** Where the CLI writes, and how it colours: colour only on a TTY, never with NO_COLOR or in CI logs unless forced. */
import type { Diagnostic } from "../config/diagnostic.js";
import { formatDiagnostic } from "../config/diagnostic.js";

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  diagnostic(diagnostic: Diagnostic): string;
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is an interactive terminal and not CI: the listr2 progress view is used. */
  interactive: boolean;
  style: Style;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
}

export function createOutput(options: { env?: NodeJS.ProcessEnv; stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream } = {}): CliOutput {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const inCi = Boolean(env.CI) && env.CI !== "false" && env.CI !== "0";
  const colour = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" ? true : !env.NO_COLOR && stdout.isTTY === true && !inCi;
  // A closed pipe (`orch run … | head`) must not crash a run that is spending money: the run goes
  // on, recorded as usual, and simply stops printing.
  const open = { stdout: true, stderr: true };
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    open.stdout = false;
  });
  stderr.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    open.stderr = false;
  });
  return {
    out: (text) => {
      if (open.stdout) stdout.write(`${text}\n`);
    },
    err: (text) => {
      if (open.stderr) stderr.write(`${text}\n`);
    },
    interactive: stdout.isTTY === true && !inCi,
    style: createStyle(colour),
    env,
    stdout,
  };
}

export function createStyle(colour: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (colour ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  const style: Style = {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    diagnostic: (diagnostic) => {
      const line = formatDiagnostic(diagnostic);
      const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
      return colour ? line.replace(where, `${style.bold(where)} ${style.red("error")}`) : line.replace(where, `${where} error`);
    },
  };
  return style;
}
