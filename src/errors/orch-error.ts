/**
 * The root of orch's error hierarchy. The CLI entry is the only place that turns one of these
 * into a message and an exit code; every subclass says which exit code it means.
 *
 * A `Symbol.for` marker (rather than `instanceof`) keeps detection working across duplicated
 * module instances, for example when orch is used as a library next to its own CLI.
 */
const orchErrorMarker = Symbol.for("orch.error");

export type ExitCode = 0 | 1 | 2 | 3 | 130;

export const exitCodes = {
  success: 0,
  stepFailed: 1,
  invalidConfigOrUsage: 2,
  stoppedByBudget: 3,
  interrupted: 130,
} as const satisfies Record<string, ExitCode>;

export class OrchError extends Error {
  readonly [orchErrorMarker] = true;
  readonly exitCode: ExitCode;
  /** A sentence telling the user how to fix the problem, shown under the message. */
  readonly hint: string | undefined;

  constructor({ message, exitCode, hint, cause }: { message: string; exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "OrchError";
    this.exitCode = exitCode;
    this.hint = hint;
  }

  static isInstance(value: unknown): value is OrchError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[orchErrorMarker] === true;
  }
}

/** Bad command-line usage: unknown flag, missing argument, malformed `--set`. Exit code 2. */
export class UsageError extends OrchError {
  constructor({ message, hint }: { message: string; hint?: string }) {
    super({ message, exitCode: exitCodes.invalidConfigOrUsage, ...(hint === undefined ? {} : { hint }) });
    this.name = "UsageError";
  }
}
