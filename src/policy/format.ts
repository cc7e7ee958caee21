/** Small formatters shared by notes, rule reasons and explanations, so every figure reads the same. */
import type { BudgetScope } from "./decision.js";

/**
 * A computed amount: cents for amounts of ten cents and more, four decimals below that
 * (a call often costs a fraction of a cent), about two significant digits below a hundredth of a cent.
 */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return amount > 0 ? "unlimited" : "-unlimited";
  const sign = amount < 0 ? "-" : "";
  const size = Math.abs(amount);
  if (size === 0) return "$0";
  if (size >= 0.1) return `${sign}$${size.toFixed(2)}`;
  if (size >= 0.0001) return `${sign}$${size.toFixed(4)}`;
  const decimals = Math.min(10, Math.ceil(-Math.log10(size)) + 1);
  return `${sign}$${size.toFixed(decimals).replace(/0+$/, "")}`;
}

/** Money left in a budget: in cents, like a balance (`$0.04`, `$14.20`); finer only under a cent. */
export function formatBalance(amount: number): string {
  return Math.abs(amount) >= 0.01 || amount === 0 ? formatCents(amount) : formatUsd(amount);
}

/** An amount the user wrote (a limit, a threshold): `$5`, `$0.50`, `$0.02`, or as written when finer. */
export function formatLimit(amount: number): string {
  if (Number.isInteger(amount)) return amount < 0 ? `-$${-amount}` : `$${amount}`;
  if (Math.round(amount * 100) === amount * 100) return formatCents(amount);
  return amount < 0 ? `-$${-amount}` : `$${amount}`;
}

function formatCents(amount: number): string {
  return amount < 0 ? `-$${(-amount).toFixed(2)}` : `$${amount.toFixed(2)}`;
}

/** `left today`, `left this run`, `left this month`. */
export function scopeWords(scope: BudgetScope): string {
  switch (scope) {
    case "run":
      return "this run";
    case "day":
      return "today";
    case "month":
      return "this month";
  }
}

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** `14:05` in the policy's time zone (or the machine's), for cool-down ends. */
export function formatClock(epochMs: number, timeZone: string | undefined): string {
  const options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (timeZone) options.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat("en-GB", options).format(epochMs);
  } catch {
    // An unknown time zone is reported by config validation; here, fall back to UTC.
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(epochMs) + " UTC";
  }
}

/** `1h`, `1h30m`, `45s` from milliseconds. */
export function formatDuration(milliseconds: number): string {
  let seconds = Math.round(milliseconds / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  return parts.length ? parts.join("") : "0s";
}

/** `a, b or c`. */
export function formatAlternatives(values: readonly string[], conjunction = "or"): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} ${conjunction} ${values[values.length - 1]}`;
}
