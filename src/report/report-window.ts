/**
 * The time a report covers: `--since 7d` (the last seven days up to now), or `--from DATE
 * --to DATE` (whole calendar days, both included, in the report's time zone — the budget's).
 *
 * Days are matched by each call's calendar day, as the ledger does: the SQL query reads a range of
 * instants wide enough for any time zone, and `inWindow` keeps the calls of the chosen days.
 */
import { calendarKeys } from "../budget/calendar.js";
import { UsageError } from "../errors/orch-error.js";
import { parseDuration } from "../policy/duration.js";

export interface ReportWindow {
  /** The instants the store is asked for: [fromIso, toIso). */
  fromIso: string;
  toIso: string;
  /** Set for `--from/--to`: the calendar days kept, inclusive. */
  days?: { from: string; to: string };
  label: string;
}

export interface WindowFlags {
  since?: string;
  from?: string;
  to?: string;
}

export const defaultSince = "30d";
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;
/** Wider than any UTC offset (−12h to +14h). */
const zoneMarginMs = 15 * 3_600_000;

export function reportWindow(flags: WindowFlags, now: Date): ReportWindow {
  if (flags.since !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw new UsageError({ message: "--since cannot be combined with --from or --to", hint: "use --since 7d, or --from 2025-01-01 --to 2025-01-31" });
  }
  if (flags.from === undefined && flags.to === undefined) {
    const since = flags.since ?? defaultSince;
    const milliseconds = parseDuration(since);
    if (milliseconds === undefined || milliseconds <= 0) {
      throw new UsageError({ message: `--since expects a duration such as 7d, 12h or 1d12h, got "${since}"` });
    }
    return { fromIso: new Date(now.getTime() - milliseconds).toISOString(), toIso: now.toISOString(), label: `last ${since}` };
  }
  const from = flags.from === undefined ? "0001-01-01" : checkedDay(flags.from, "--from");
  const to = flags.to === undefined ? new Date(now.getTime() + dayMs).toISOString().slice(0, 10) : checkedDay(flags.to, "--to");
  if (from > to) throw new UsageError({ message: `--from ${from} is after --to ${to}` });
  return {
    fromIso: new Date(dayStart(from) - zoneMarginMs).toISOString(),
    toIso: new Date(dayStart(to) + dayMs + zoneMarginMs).toISOString(),
    days: { from, to },
    label: flags.from === undefined ? `up to ${to}` : flags.to === undefined ? `since ${from}` : `${from} to ${to}`,
  };
}

/** Whether a call started at this instant belongs to the window. */
export function inWindow(window: ReportWindow, startedAt: string, timeZone: string | undefined): boolean {
  if (startedAt < window.fromIso || startedAt >= window.toIso) return false;
  if (!window.days) return true;
  const day = calendarKeys(new Date(startedAt), timeZone).day;
  return day >= window.days.from && day <= window.days.to;
}

/** The calendar days of the window, oldest first; with an open start, from the first active day. */
export function windowDays(window: ReportWindow, timeZone: string | undefined, firstActiveDay?: string): string[] {
  let first = window.days?.from ?? calendarKeys(new Date(window.fromIso), timeZone).day;
  const last = window.days?.to ?? calendarKeys(new Date(new Date(window.toIso).getTime() - 1), timeZone).day;
  if (first === "0001-01-01") first = firstActiveDay ?? last;
  const days: string[] = [];
  for (let day = first; day <= last; day = nextDay(day)) days.push(day);
  return days;
}

function checkedDay(text: string, flag: string): string {
  if (!dayPattern.test(text) || Number.isNaN(dayStart(text)) || new Date(dayStart(text)).toISOString().slice(0, 10) !== text) {
    throw new UsageError({ message: `${flag} expects a date as YYYY-MM-DD, got "${text}"` });
  }
  return text;
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

function nextDay(day: string): string {
  return new Date(dayStart(day) + dayMs).toISOString().slice(0, 10);
}
