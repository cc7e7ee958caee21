/** Flag parsing on node's own parseArgs, with its errors turned into usage errors (exit 2). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors/orch-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type ParsedArguments<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

export function parseCommandArguments<T extends Options>(args: string[], options: T, usage: string): ParsedArguments<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError({ message: (error as Error).message.replace(/\. To specify a positional argument.*$/s, ""), hint: `usage: ${usage}` });
  }
}

/** A flag's whole number from 1 up to `maximum` (when the setting it overrides has one). Only digits: "1e9" is refused. */
export function positiveInteger(value: string | undefined, flag: string, maximum?: number): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  const range = maximum === undefined ? "a positive whole number" : `a whole number from 1 to ${maximum}`;
  if (!Number.isSafeInteger(number) || number < 1 || (maximum !== undefined && number > maximum)) {
    throw new UsageError({ message: `${flag} expects ${range}, got "${value}"` });
  }
  return number;
}

export function exactlyOne(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) {
    throw new UsageError({ message: positionals.length === 0 ? `missing ${what}` : `expected one ${what}, got ${positionals.length}`, hint: `usage: ${usage}` });
  }
  return positionals[0]!;
}
