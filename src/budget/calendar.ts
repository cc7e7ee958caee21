/**
 * Calendar keys of a moment in a time zone, for day and month budgets; and which zone a ledger
 * follows, so that every process sharing a database agrees on what "today" is.
 */
import type { LedgerStore } from "../contracts/ledger-store.js";
import { UsageError } from "../errors/orch-error.js";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(key, formatter);
  }
  return formatter;
}

export function calendarKeys(date: Date, timeZone?: string): { day: string; month: string } {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(date).map((part) => [part.type, part.value]));
  const month = `${parts.year}-${parts.month}`;
  return { day: `${month}-${parts.day}`, month };
}

/** This process's zone (from `TZ` or the system), as an IANA name. */
export function machineTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/**
 * The zone of a ledger's days and months: the policy's `time_zone` when it sets one, else the zone
 * fixed for the database — the zone of the first process that used it, stored then and read back by
 * every later process, whatever its own `TZ`.
 */
export async function ledgerTimeZone(
  store: Pick<LedgerStore, "calendarZone">,
  policyZone: string | undefined,
  now: Date = new Date(),
  team?: string,
): Promise<string> {
  if (team === undefined) return policyZone ?? (await store.calendarZone(machineTimeZone(), now.toISOString()));
  // A team has one calendar, the database's: its first project fixes it (with its policy's zone, if
  // any), and a policy disagreeing with it is refused (at its line by `checkTeamCalendar` first).
  const databaseZone = await store.calendarZone(policyZone ?? machineTimeZone(), now.toISOString());
  if (policyZone !== undefined && policyZone !== databaseZone) {
    throw new UsageError({
      message: `budget.time_zone "${policyZone}" differs from the database's calendar zone "${databaseZone}", and team "${team}" has one calendar`,
      hint: `remove time_zone from the policy's budget, or set it to "${databaseZone}"`,
    });
  }
  return databaseZone;
}

/** Today's start on this machine's clock: daily call caps and "cost today" count from here. */
export function localMidnight(now = new Date()): Date {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return midnight;
}
