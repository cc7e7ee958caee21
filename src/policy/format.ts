/** Small formatters shared by notes, rule reasons and explanations, so every figure reads the same. */
export { formatBalance, formatLimit, formatUsd } from "../money/format-usd.js";
import type { BudgetScope } from "./decision.js";

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
