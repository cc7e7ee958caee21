/**
 * Runs `output.validate` commands against a staged file. A list runs the program directly, each
 * placeholder replaced inside its own argument (no shell ever sees the path); a string runs
 * through `sh -c`, with placeholders replaced by quoted variables ("$ORCH_FILE") whose values are
 * set in its environment, so a path with spaces or quotes cannot change the command. Each command
 * has a timeout and runs in its own process group, killed whole on timeout or Ctrl-C.
 *
 * Placeholders: {file}, {dir}, {name} of the staged answer; {provider} and {model} that answered;
 * in a for_each step {item} (a string as is, anything else as JSON) and {item_index}. Each is also
 * an environment variable of the command (ORCH_FILE … ORCH_ITEM_INDEX), set by orch on top of the
 * allowlisted environment (secrets/child-environment.ts).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type { ValidatorCommand } from "../pipeline/model.js";
import type { StagedFile } from "./staging.js";

export interface ValidatorResult {
  ok: boolean;
  /** One line: what failed and how (`exit 1`, `timed out after 60s`, `not found`). */
  summary: string;
  /** The end of what it printed (stdout and stderr interleaved). */
  output: string;
}

/** The tail kept of a check's output: where compilers and test runners put the verdict. */
export const keptOutputChars = 4096;

/** Who answered, and the item of a for_each step: what {provider}, {model}, {item} and {item_index} stand for. */
export interface AnswerOrigin {
  provider: string;
  model: string;
  item?: { index: number; value: unknown };
}

/** Every placeholder a validator command may hold (step-output.ts checks them at validation). */
export const validatorPlaceholders = ["file", "dir", "name", "provider", "model", "item", "item_index"] as const;
const placeholderPattern = new RegExp(`\\{(${validatorPlaceholders.join("|")})\\}`, "g");

export function validatorArguments(
  command: ValidatorCommand,
  staged: Pick<StagedFile, "root" | "file">,
  origin?: AnswerOrigin,
): { program: string; args: string[]; env: Record<string, string> } {
  const values: Record<string, string> = { file: staged.file, dir: staged.root, name: path.basename(staged.file) };
  if (origin) Object.assign(values, { provider: origin.provider, model: origin.model });
  if (origin?.item) Object.assign(values, { item: itemText(origin.item.value), item_index: String(origin.item.index) });
  const env = Object.fromEntries(Object.entries(values).map(([name, value]) => [`ORCH_${name.toUpperCase()}`, value]));
  // A placeholder with no value here (no item in a plain step) stays as written; validation refuses it beforehand.
  if (command.shell) {
    const script = command.argv[0]!.replace(placeholderPattern, (whole, name: string) => (name in values ? `"$ORCH_${name.toUpperCase()}"` : whole));
    return { program: "sh", args: ["-c", script], env };
  }
  const [program, ...rest] = command.argv.map((argument) => argument.replace(placeholderPattern, (whole, name: string) => values[name] ?? whole));
  return { program: program!, args: rest, env };
}

function itemText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function runValidator(command: ValidatorCommand, staged: StagedFile, baseEnv: NodeJS.ProcessEnv, signal: AbortSignal, origin?: AnswerOrigin): Promise<ValidatorResult> {
  const { program, args, env } = validatorArguments(command, staged, origin);
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    const child = spawn(program, args, { cwd: staged.root, env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-keptOutputChars);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, command.timeoutMs);
    const onAbort = () => killGroup();
    signal.addEventListener("abort", onAbort, { once: true });
    const finish = (result: ValidatorResult) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      const summary = error.code === "ENOENT" ? `command not found: ${program}` : `could not start: ${error.message}`;
      finish({ ok: false, summary: `${command.display}: ${summary}`, output });
    });
    child.on("close", (code, killedBy) => {
      if (code === 0) return finish({ ok: true, summary: `${command.display}: passed`, output });
      const how = timedOut
        ? `timed out after ${command.timeoutMs < 1000 ? `${command.timeoutMs}ms` : `${Math.round(command.timeoutMs / 1000)}s`}`
        : signal.aborted
          ? "stopped (the run was interrupted or the step ran out of time)"
          : code === null
            ? `killed by ${killedBy ?? "a signal"}`
            : `exit ${code}`;
      finish({ ok: false, summary: `${command.display}: ${how}`, output });
    });
  });
}
