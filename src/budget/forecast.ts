/**
 * Month-end spend projected from the days so far, for `orch budget` and `orch report`:
 *
 *   projected = spent this month ÷ days elapsed × days in the month
 *
 * Days elapsed count from the month's first midnight in the ledger's zone to now, in fractions of a
 * day, and at least one: a projection from the first minutes of a month would multiply noise.
 * Spent is what the ledger counts (settled, plus open and expired reservations at their worst
 * case), real money only. The projection crossing the monthly limit is an alert: at this pace the
 * limit stops calls before the month ends. Pure: figures in, figures out.
 */
import type { LedgerUseRow } from "../contracts/report-store.js";
import { calendarKeys } from "./calendar.js";
import { nanoToUsd, usdToNano } from "./money.js";
import type { BudgetStatus } from "./status.js";

export interface MonthForecast {
  /** `YYYY-MM` in the ledger's zone. */
  month: string;
  spentUsd: number;
  /** Days since the month began (fractional, at least 1). */
  elapsedDays: number;
  daysInMonth: number;
  projectedUsd: number;
  limitUsd?: number;
  /** The projection is above the monthly limit. */
  overLimit: boolean;
}

export function forecastMonth(input: { spentUsd: number; now: Date; timeZone: string | undefined; limitUsd?: number }): MonthForecast {
  const { year, month, day, hour, minute, second } = zonedParts(input.now, input.timeZone);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const elapsedDays = Math.max(1, day - 1 + (hour + minute / 60 + second / 3600) / 24);
  const projectedUsd = (input.spentUsd / elapsedDays) * daysInMonth;
  return {
    month: `${year}-${String(month).padStart(2, "0")}`,
    spentUsd: input.spentUsd,
    elapsedDays,
    daysInMonth,
    projectedUsd,
    ...(input.limitUsd === undefined ? {} : { limitUsd: input.limitUsd }),
    overLimit: input.limitUsd !== undefined && projectedUsd > input.limitUsd,
  };
}

/** `orch budget`: from the month scope of the status (the global one, not a pipeline's or a tag's). */
export function forecastOfStatus(status: BudgetStatus): MonthForecast | undefined {
  const scope = status.scopes.find((candidate) => candidate.scope === "month" && candidate.subject === undefined);
  if (!scope) return undefined;
  return forecastMonth({
    spentUsd: nanoToUsd(usdToNano(scope.spentUsd) + usdToNano(scope.reservedUsd) + usdToNano(scope.expiredUsd)),
    now: new Date(status.at),
    timeZone: status.timeZone,
    ...(scope.limitUsd === undefined ? {} : { limitUsd: scope.limitUsd }),
  });
}

/** `orch report`: from the ledger rows of the current month, when the report's rows reach it. */
export function forecastOfLedger(rows: readonly LedgerUseRow[], now: Date, timeZone: string | undefined, limitUsd: number | undefined): MonthForecast | undefined {
  const { month } = calendarKeys(now, timeZone);
  const thisMonth = rows.filter((row) => row.month === month && row.synthetic !== 1);
  if (thisMonth.length === 0) return undefined;
  const spentUsd = nanoToUsd(thisMonth.reduce((sum, row) => sum + row.usedNanoUsd, 0));
  return forecastMonth({ spentUsd, now, timeZone, ...(limitUsd === undefined ? {} : { limitUsd }) });
}

function zonedParts(now: Date, timeZone: string | undefined): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const formatter = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" });
  const parts = Object.fromEntries(formatter.formatToParts(now).map((part) => [part.type, Number(part.value)]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}
