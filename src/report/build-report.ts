/**
 * A cost report from the store's rows, as named passes: keep the window's calls → facts per call
 * → totals, groups, latency, cache, escalations, budget → recommendations. Pure: the rows, the
 * clock and the policy's figures come in; nothing is read or written here.
 */
import type { BudgetLimits } from "../budget/limits.js";
import type { BudgetOverrun } from "../budget/overruns.js";
import type { AverageCostRow, BudgetStopRow, CachedAnswerCostRow, LedgerTagUseRow, LedgerUseRow, ReportCallRow } from "../contracts/report-store.js";
import { groupFacts, groupsOf, sumUsd, totalsOf } from "./breakdown.js";
import { forecastOfLedger } from "../budget/forecast.js";
import { budgetFigures } from "./budget-use.js";
import { cacheFigures } from "./cache-savings.js";
import { callFacts } from "./call-facts.js";
import { escalationFigures } from "./escalations.js";
import { latencyByModel } from "./latency.js";
import { providerCacheFigures } from "./provider-cache-savings.js";
import { recommendations } from "./recommendations.js";
import { runDrillDowns } from "./run-drilldown.js";
import type { GroupBy, Report, ReportTargets } from "./report-model.js";
import { inWindow, windowDays, type ReportWindow } from "./report-window.js";

/** What the store returns for a report (see `ReportStore`). */
export interface ReportData {
  calls: readonly ReportCallRow[];
  averageCosts: readonly AverageCostRow[];
  cachedAnswerCosts: readonly CachedAnswerCostRow[];
  ledger: readonly LedgerUseRow[];
  ledgerByTag: readonly LedgerTagUseRow[];
  budgetStops: readonly BudgetStopRow[];
  /** Settlements above their reservation in the window (read from the ledger). */
  overruns?: readonly BudgetOverrun[];
}

export interface ReportOptions {
  window: ReportWindow;
  groupBy: GroupBy;
  now: Date;
  /** The budget's time zone (default: the machine's): days and months as the ledger counts them. */
  timeZone?: string;
  limits?: BudgetLimits;
  policyFile?: string;
  targets?: Partial<ReportTargets>;
}

export const defaultTargets: ReportTargets = { costPerSuccessUsd: 0.01, minSamples: 3 };

export function buildReport(data: ReportData, options: ReportOptions): Report {
  const { window, timeZone } = options;
  const targets: ReportTargets = { ...defaultTargets, ...withoutUndefined(options.targets ?? {}) };
  const facts = callFacts(
    data.calls.filter((call) => inWindow(window, call.startedAt, timeZone)),
    timeZone,
  );
  const days = windowDays(window, timeZone, facts[0]?.day);
  const totals = totalsOf(facts);
  const cache = cacheFigures(facts, data.averageCosts, data.cachedAnswerCosts);
  const escalations = escalationFigures(facts);
  const byDay = groupFacts(facts, (fact) => fact.day);
  const forecast = forecastOfLedger(data.ledger, options.now, timeZone, options.limits?.monthlyUsd);
  return {
    generatedAt: options.now.toISOString(),
    window: { from: days[0] ?? "", to: days[days.length - 1] ?? "", label: window.label, days },
    groupBy: options.groupBy,
    totals,
    groups: groupsOf(facts, options.groupBy),
    spendByModel: [...groupFacts(facts, (fact) => fact.model)]
      .map(([model, members]) => ({ model, spendUsd: sumUsd(members, (fact) => fact.row.costUsd) }))
      .sort((a, b) => b.spendUsd - a.spendUsd || a.model.localeCompare(b.model)),
    daily: days.map((day) => {
      const members = byDay.get(day) ?? [];
      return { day, spendUsd: sumUsd(members, (fact) => fact.row.costUsd), calls: members.length };
    }),
    latency: latencyByModel(facts),
    cache,
    providerCache: providerCacheFigures(facts),
    escalations,
    budget: budgetFigures({
      ledger: data.ledger,
      ledgerByTag: data.ledgerByTag,
      budgetStops: data.budgetStops,
      days,
      limits: options.limits,
      policyFile: options.policyFile,
      timeZone,
      overruns: data.overruns ?? [],
    }),
    ...(forecast ? { forecast } : {}),
    targets,
    recommendations: recommendations({ facts, totals, cache, escalations, targets }),
    runs: runDrillDowns(facts),
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

