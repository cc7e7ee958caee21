/**
 * Flag parsing on node's own parseArgs, with its errors turned into usage errors (exit 2).
 * A command declares its flags once, in a `FlagTable`: the parser reads the types from it and
 * `--help` reads the descriptions and defaults, so the help cannot drift from what is parsed.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../errors/orch-error.js";

/** One flag: how it parses, and what `--help` says about it. */
export interface FlagSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  /** What the flag does, in one line. */
  description: string;
  /** The value's placeholder in the help (`FILE`, `N`); string flags only. */
  placeholder?: string;
  /** What applies when the flag is absent, as the help shows it (the parser itself applies no default). */
  defaultText?: string;
}

export type FlagTable = Record<string, FlagSpec>;

/** Keeps the literal keys and types of a command's table, so `values.<flag>` is typed. */
export function defineFlags<T extends FlagTable>(table: T): T {
  return table;
}

type ParsedValue<S extends FlagSpec> = S["type"] extends "boolean" ? (S["multiple"] extends true ? boolean[] : boolean) : S["multiple"] extends true ? string[] : string;

export interface ParsedArguments<T extends FlagTable> {
  values: { [K in keyof T]?: ParsedValue<T[K]> };
  positionals: string[];
}

export function parseCommandArguments<T extends FlagTable>(args: string[], flags: T, usage: string): ParsedArguments<T> {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, spec]) => [name, { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArguments<T>["values"], positionals };
  } catch (error) {
    throw new UsageError({ message: (error as Error).message.replace(/\. To specify a positional argument.*$/s, ""), hint: `usage: ${usage}` });
  }
}

/** The `flags:` block of `orch <command> --help`: every flag of the table, its meaning and its default. */
export function renderFlagHelp(flags: FlagTable): string[] {
  const names = Object.entries(flags).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "";
    const value = spec.type === "string" ? ` ${spec.placeholder ?? "VALUE"}` : "";
    return `${short}--${name}${value}${spec.multiple ? "…" : ""}`;
  });
  const width = Math.max(0, ...names.map((name) => name.length));
  return Object.values(flags).map((spec, index) => {
    const fallback = spec.defaultText === undefined ? "" : ` (default: ${spec.defaultText})`;
    return `  ${names[index]!.padEnd(width)}  ${spec.description}${fallback}`;
  });
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

/** For commands that take flags only: a stray word is a usage error naming it. */
export function noPositionals(positionals: readonly string[], usage: string): void {
  if (positionals.length > 0) throw new UsageError({ message: `unexpected argument "${positionals[0]}"`, hint: `usage: ${usage}` });
}

export function exactlyOne(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) {
    throw new UsageError({ message: positionals.length === 0 ? `missing ${what}` : `expected one ${what}, got ${positionals.length}`, hint: `usage: ${usage}` });
  }
  return positionals[0]!;
}
