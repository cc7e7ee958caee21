/**
 * Budget use per scope over the window, from the ledger's own rows (settled + open + expired at
 * their worst case, by the ledger's calendar keys), so these figures agree with `orch budget`.
 *
 * A day scope counts the days of the window with ledger activity; a month scope the calendar
 * months those days fall in (whole months); a run scope the runs with activity on those days.
 * A period is within budget when its use is at most the limit. Days and months count real money
 * only (as the ledger does); a run counts its synthetic money (mock, replay) too.
 */
import { calendarKeys } from "../budget/calendar.js";
import type { BudgetLimits, ScopedLimits } from "../budget/limits.js";
import type { BudgetOverrun } from "../budget/overruns.js";
import { nanoToUsd, usdToNano } from "../budget/money.js";
import type { BudgetScope } from "../policy/decision.js";
import type { BudgetStopRow, LedgerTagUseRow, LedgerUseRow } from "../contracts/report-store.js";
import type { BudgetFigures, BudgetScopeUse } from "./report-model.js";

export interface BudgetInputs {
  ledger: readonly LedgerUseRow[];
  ledgerByTag: readonly LedgerTagUseRow[];
  budgetStops: readonly BudgetStopRow[];
  /** The window's calendar days. */
  days: readonly string[];
  limits: BudgetLimits | undefined;
  policyFile: string | undefined;
  timeZone: string | undefined;
  /** Settlements above their reservation in the window. */
  overruns: readonly BudgetOverrun[];
}

type Subject = NonNullable<BudgetScopeUse["subject"]>;

export function budgetFigures(inputs: BudgetInputs): BudgetFigures {
  const days = new Set(inputs.days);
  const realLedger = inputs.ledger.filter((row) => row.synthetic !== 1);
  const inDays = realLedger.filter((row) => days.has(row.day));
  const months = new Set(inDays.map((row) => row.month));
  const runs = new Set(inputs.ledger.filter((row) => days.has(row.day)).map((row) => row.runId));
  const inMonths = realLedger.filter((row) => months.has(row.month));
  const limits = inputs.limits ?? {};

  const scopes: BudgetScopeUse[] = [
    scopeUse("day", limits.dailyUsd, totalsBy(inDays, (row) => row.day)),
    scopeUse("month", limits.monthlyUsd, totalsBy(inMonths, (row) => row.month)),
    scopeUse("run", limits.runUsd, totalsBy(inputs.ledger.filter((row) => runs.has(row.runId)), (row) => row.runId)),
  ];
  const subjectScopes = (kind: Subject["kind"], section: Readonly<Record<string, ScopedLimits>> | undefined, rowsOf: (name: string) => readonly { day: string; month: string; usedNanoUsd: number }[]) => {
    for (const [name, scoped] of Object.entries(section ?? {})) {
      const rows = rowsOf(name);
      const subject = { kind, name };
      if (scoped.dailyUsd !== undefined) scopes.push(scopeUse("day", scoped.dailyUsd, totalsBy(rows.filter((row) => days.has(row.day)), (row) => row.day), subject));
      if (scoped.monthlyUsd !== undefined) scopes.push(scopeUse("month", scoped.monthlyUsd, totalsBy(rows.filter((row) => months.has(row.month)), (row) => row.month), subject));
    }
  };
  subjectScopes("pipeline", limits.perPipeline, (name) => realLedger.filter((row) => row.pipelineName === name));
  subjectScopes("tag", limits.perTag, (name) => inputs.ledgerByTag.filter((row) => row.tag === name && row.synthetic !== 1));

  const stops = inputs.budgetStops.map((stop) => calendarKeys(new Date(stop.finishedAt), inputs.timeZone).day).filter((day) => days.has(day));
  return {
    policyFile: inputs.policyFile ?? null,
    timeZone: inputs.timeZone ?? null,
    scopes,
    days: daysWithinBudget(inputs, days, new Set(inDays.map((row) => row.day))),
    budgetStoppedSteps: stops.length,
    overruns: {
      count: inputs.overruns.length,
      overrunUsd: nanoToUsd(inputs.overruns.reduce((sum, overrun) => sum + usdToNano(overrun.overrunUsd), 0)),
      calls: [...inputs.overruns],
    },
  };
}

function scopeUse(scope: BudgetScope, limitUsd: number | undefined, usedByPeriod: Map<string, number>, subject?: Subject): BudgetScopeUse {
  const limitNano = limitUsd === undefined ? undefined : usdToNano(limitUsd);
  let peakPeriod = "";
  let peakNano = 0;
  let usedNano = 0;
  let within = 0;
  for (const [period, used] of usedByPeriod) {
    usedNano += used;
    if (used > peakNano || peakPeriod === "") [peakPeriod, peakNano] = [period, used];
    if (limitNano === undefined || used <= limitNano) within++;
  }
  return {
    scope,
    ...(subject ? { subject } : {}),
    ...(limitUsd === undefined ? {} : { limitUsd }),
    periods: usedByPeriod.size,
    periodsWithinBudget: within,
    withinShare: limitUsd === undefined || usedByPeriod.size === 0 ? null : within / usedByPeriod.size,
    usedUsd: nanoToUsd(usedNano),
    peakPeriod,
    peakUsedUsd: nanoToUsd(peakNano),
    peakFraction: limitNano === undefined || limitNano === 0 ? null : peakNano / limitNano,
  };
}

/**
 * A day is within budget when its spend stayed within every daily limit (global, pipeline, tag), by
 * the same rows and rule as the day scopes above (real money, used ≤ limit): with only a global
 * daily limit this is that scope's `periodsWithinBudget` of its `periods`. A step stopped by a
 * budget is the budget holding, not the day going over: those are counted apart
 * (`budgetStoppedSteps`). Active days are the days with real ledger activity, as the day scope's.
 */
function daysWithinBudget(inputs: BudgetInputs, days: ReadonlySet<string>, activeDays: ReadonlySet<string>): BudgetFigures["days"] {
  const limits = inputs.limits ?? {};
  const realLedger = inputs.ledger.filter((row) => row.synthetic !== 1);
  const daily: { limitNano: number; rows: readonly { day: string; usedNanoUsd: number }[] }[] = [];
  if (limits.dailyUsd !== undefined) daily.push({ limitNano: usdToNano(limits.dailyUsd), rows: realLedger });
  for (const [name, scoped] of Object.entries(limits.perPipeline ?? {})) {
    if (scoped.dailyUsd !== undefined) daily.push({ limitNano: usdToNano(scoped.dailyUsd), rows: realLedger.filter((row) => row.pipelineName === name) });
  }
  for (const [name, scoped] of Object.entries(limits.perTag ?? {})) {
    if (scoped.dailyUsd !== undefined) daily.push({ limitNano: usdToNano(scoped.dailyUsd), rows: inputs.ledgerByTag.filter((row) => row.tag === name && row.synthetic !== 1) });
  }
  if (daily.length === 0) return null;
  const usedByDay = daily.map((limit) => ({ limitNano: limit.limitNano, used: totalsBy(limit.rows.filter((row) => days.has(row.day)), (row) => row.day) }));
  const within = [...activeDays].filter((day) => usedByDay.every((limit) => (limit.used.get(day) ?? 0) <= limit.limitNano));
  return { active: activeDays.size, withinBudget: within.length, share: activeDays.size === 0 ? 0 : within.length / activeDays.size };
}

function totalsBy<T extends { usedNanoUsd: number }>(rows: readonly T[], keyOf: (row: T) => string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(keyOf(row), (totals.get(keyOf(row)) ?? 0) + row.usedNanoUsd);
  return totals;
}
