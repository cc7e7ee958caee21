/**
 * Where every budget stands now, for `orch budget`: per scope its limit, what is spent (settled),
 * held by open reservations, held by expired ones (at their worst case) and left; and the soft
 * alerts already raised in the current periods. Days and months count real money only; what
 * mock and replay calls "spent" in them is shown apart (`syntheticUsd`), and every overrun of the
 * current run, day and month is listed.
 */
import type { BudgetScope } from "../policy/decision.js";
import type { LedgerStore, ScopeKeys, ScopeSubject } from "../contracts/ledger-store.js";
import { periodOf, qualifiedName } from "../store/ledger-scopes.js";
import type { BudgetAlert } from "./alerts.js";
import { calendarKeys, ledgerTimeZone } from "./calendar.js";
import type { BudgetLimits, ScopedLimits } from "./limits.js";
import { nanoToUsd, usdToNano } from "./money.js";
import { overrunOf, type BudgetOverrun } from "./overruns.js";

export interface ScopeStatus {
  scope: BudgetScope;
  subject?: ScopeSubject;
  /** The run id, day or month. */
  period: string;
  /** Absent when the scope has no limit: spend is still shown. */
  limitUsd?: number;
  spentUsd: number;
  reservedUsd: number;
  expiredUsd: number;
  expiredCount: number;
  /** Day and month only: synthetic money (mock, replay) settled in the period, not counted against its limit. */
  syntheticUsd?: number;
  /** limit − (spent + reserved + expired), never below 0; absent without a limit. */
  leftUsd?: number;
  /** Alert fractions already reached in this period. */
  alertsCrossed: number[];
}

export interface BudgetStatus {
  at: string;
  /** The zone of the day and month: the policy's `time_zone`, else the database's. */
  timeZone: string;
  day: string;
  month: string;
  /** Absent outside a run: the run scope is then not applicable. */
  runId?: string;
  scopes: ScopeStatus[];
  /** Alerts recorded for this run, day or month, in the order they were raised. */
  alerts: BudgetAlert[];
  /** Settlements above their reservation in this run (with `runId`), day or month, oldest first. */
  overruns: BudgetOverrun[];
}

const scopeOrder: readonly BudgetScope[] = ["run", "day", "month"];

export async function budgetStatus(
  store: LedgerStore,
  limits: BudgetLimits,
  timeZone: string | undefined,
  now: Date,
  options: { runId?: string; pipeline?: string } = {},
): Promise<BudgetStatus> {
  const zone = await ledgerTimeZone(store, timeZone, now, limits.project?.team);
  const keys: ScopeKeys = { runId: options.runId ?? "", ...calendarKeys(now, zone) };
  const recorded = await store.alertsInPeriods(keys);
  const alerts = options.runId === undefined ? recorded.filter((alert) => alert.scope !== "run") : recorded;
  const crossedIn = (scope: BudgetScope, subject?: ScopeSubject) =>
    alerts
      .filter((alert) => alert.scope === scope && alert.subject?.kind === subject?.kind && alert.subject?.name === subject?.name)
      .map((alert) => alert.fraction)
      .sort((a, b) => a - b);
  const statusOf = async (scope: BudgetScope, limitUsd: number | undefined, subject?: ScopeSubject): Promise<ScopeStatus> => {
    const usage = await store.usageInScope(scope, keys, subject);
    const synthetic = scope === "run" ? undefined : await store.usageInScope(scope, keys, subject, "synthetic");
    const used = usage.settledNanoUsd + usage.reservedNanoUsd + usage.expiredNanoUsd;
    return {
      scope,
      ...(subject ? { subject } : {}),
      period: periodOf(scope, keys),
      ...(limitUsd === undefined ? {} : { limitUsd, leftUsd: nanoToUsd(Math.max(0, usdToNano(limitUsd) - used)) }),
      spentUsd: nanoToUsd(usage.settledNanoUsd),
      reservedUsd: nanoToUsd(usage.reservedNanoUsd),
      expiredUsd: nanoToUsd(usage.expiredNanoUsd),
      expiredCount: usage.expiredCount,
      ...(synthetic === undefined ? {} : { syntheticUsd: nanoToUsd(synthetic.settledNanoUsd) }),
      alertsCrossed: crossedIn(scope, subject),
    };
  };

  const scopes: ScopeStatus[] = [];
  if (options.runId !== undefined) scopes.push(await statusOf("run", limits.runUsd));
  scopes.push(await statusOf("day", limits.dailyUsd), await statusOf("month", limits.monthlyUsd));
  const subjects: [ScopeSubject["kind"], Readonly<Record<string, ScopedLimits>> | undefined][] = [
    ["pipeline", limits.perPipeline],
    ["tag", limits.perTag],
  ];
  // A project's pipelines and tags count as `project/name` in the ledger.
  const project = limits.project;
  for (const [kind, section] of subjects) {
    for (const [own, scoped] of Object.entries(section ?? {})) {
      const name = qualifiedName(project?.project, own);
      if (scoped.dailyUsd !== undefined) scopes.push(await statusOf("day", scoped.dailyUsd, { kind, name }));
      if (scoped.monthlyUsd !== undefined) scopes.push(await statusOf("month", scoped.monthlyUsd, { kind, name }));
    }
  }
  if (project !== undefined) {
    // The project's own day and month, with or without limits from the policy (the team's are in team-status.ts).
    scopes.push(await statusOf("day", project.dailyUsd, { kind: "project", name: project.project }), await statusOf("month", project.monthlyUsd, { kind: "project", name: project.project }));
  }
  // `--pipeline`: that pipeline's day and month, with or without a limit of its own, and no other subject.
  const pipeline = options.pipeline;
  if (pipeline !== undefined) {
    const own = limits.perPipeline?.[pipeline];
    const subject: ScopeSubject = { kind: "pipeline", name: qualifiedName(project?.project, pipeline) };
    const kept = scopes.filter((scope) => scope.scope === "run" || (scope.subject?.kind === "pipeline" && scope.subject.name === subject.name));
    if (own?.dailyUsd === undefined) kept.push(await statusOf("day", undefined, subject));
    if (own?.monthlyUsd === undefined) kept.push(await statusOf("month", undefined, subject));
    scopes.splice(0, scopes.length, ...kept.sort((a, b) => scopeOrder.indexOf(a.scope) - scopeOrder.indexOf(b.scope)));
  }
  return {
    at: now.toISOString(),
    timeZone: zone,
    day: keys.day,
    month: keys.month,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    scopes,
    alerts: alerts.map((alert) => ({
      scope: alert.scope,
      ...(alert.subject ? { subject: alert.subject } : {}),
      period: alert.period,
      fraction: alert.fraction,
      usedUsd: nanoToUsd(alert.usedNanoUsd),
      limitUsd: nanoToUsd(alert.limitNanoUsd),
      at: alert.createdAt,
    })),
    overruns: (await store.overrunsInPeriods(keys)).map(overrunOf),
  };
}
