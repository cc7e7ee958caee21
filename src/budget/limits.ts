/**
 * Budget limits as the ledger counts them: from the policy's `budget:` section to the list of
 * scopes one reservation must fit under, in whole nano-dollars.
 */
import type { Budget } from "../generated/routing-policy.js";
import type { LedgerScope, ScopeLimit, ScopeSubject, TeamLimit } from "../contracts/ledger-store.js";
import { UsageError } from "../errors/orch-error.js";
import { qualifiedName, teamScopeLimits } from "../store/ledger-scopes.js";
import { usdToNano } from "./money.js";

/** Daily and monthly limits of one pipeline or one tag. */
export interface ScopedLimits {
  dailyUsd?: number;
  monthlyUsd?: number;
}

/**
 * The project a policy spends for, in a database several projects share, and its own limits from
 * the policy. The team's limits are not here: they are stored in the database (`TeamLimit`).
 */
export interface ProjectBudget {
  project: string;
  team?: string;
  dailyUsd?: number;
  monthlyUsd?: number;
}

export interface BudgetLimits {
  runUsd?: number;
  dailyUsd?: number;
  monthlyUsd?: number;
  /** By pipeline name: counted across that pipeline's runs. */
  perPipeline?: Readonly<Record<string, ScopedLimits>>;
  /** By step tag: counted across the steps carrying it. */
  perTag?: Readonly<Record<string, ScopedLimits>>;
  /** Set when the policy names a project (or a team): its pipelines and tags then count as `project/name`. */
  project?: ProjectBudget;
}

/** What `createLedger` and `budgetStatus` need from a policy's `budget:` section. */
export interface LedgerSettings {
  limits: BudgetLimits;
  /** Fractions of a limit at which a soft alert is raised, ascending. */
  alerts: number[];
  timeZone?: string;
}

export function ledgerSettingsOf(budget: Budget | undefined): LedgerSettings {
  const given = budget ?? {};
  // Policies loaded through loadPolicyFile have their project filled in (or were refused there).
  if (given.team !== undefined && given.project === undefined) {
    throw new UsageError({ message: `budget.team "${given.team}" needs a project name`, hint: "add `project: NAME` under `budget:`, or `name: NAME` to orch.config.yaml" });
  }
  const limits: BudgetLimits = {
    ...(given.run_usd === undefined ? {} : { runUsd: given.run_usd }),
    ...(given.daily_usd === undefined ? {} : { dailyUsd: given.daily_usd }),
    ...(given.monthly_usd === undefined ? {} : { monthlyUsd: given.monthly_usd }),
    ...(given.per_pipeline === undefined ? {} : { perPipeline: scopedLimitsOf(given.per_pipeline) }),
    ...(given.per_tag === undefined ? {} : { perTag: scopedLimitsOf(given.per_tag) }),
    ...(given.project === undefined ? {} : { project: projectBudgetOf(given.project, given) }),
  };
  return {
    limits,
    alerts: [...new Set(given.alerts ?? [])].sort((a, b) => a - b),
    ...(given.time_zone === undefined ? {} : { timeZone: given.time_zone }),
  };
}

function projectBudgetOf(project: string, given: Budget): ProjectBudget {
  return {
    project,
    ...(given.team === undefined ? {} : { team: given.team }),
    ...(given.project_daily_usd === undefined ? {} : { dailyUsd: given.project_daily_usd }),
    ...(given.project_monthly_usd === undefined ? {} : { monthlyUsd: given.project_monthly_usd }),
  };
}

function scopedLimitsOf(section: NonNullable<Budget["per_tag"]>): Record<string, ScopedLimits> {
  return Object.fromEntries(
    Object.entries(section).map(([name, limits]) => [
      name,
      {
        ...(limits.daily_usd === undefined ? {} : { dailyUsd: limits.daily_usd }),
        ...(limits.monthly_usd === undefined ? {} : { monthlyUsd: limits.monthly_usd }),
      },
    ]),
  );
}

/**
 * Every limit a reservation of this pipeline, for a step with these tags, must fit under. For a
 * project, the policy's per-pipeline and per-tag limits bind that project's pipeline and tags
 * (`project/name`), and `stored` (the team's limits from the database) adds the team's own limits
 * and the team's cap on this project.
 */
export function scopeLimitsFor(
  limits: BudgetLimits,
  target: { pipelineName: string; tags?: readonly string[] },
  stored: readonly TeamLimit[] = [],
): ScopeLimit[] {
  const scopeLimits: ScopeLimit[] = [];
  const project = limits.project;
  const add = (scope: LedgerScope, usd: number | undefined, subject?: ScopeSubject) => {
    if (usd !== undefined) scopeLimits.push({ scope, limitNanoUsd: usdToNano(usd), ...(subject ? { subject } : {}) });
  };
  add("run", limits.runUsd);
  add("day", limits.dailyUsd);
  add("month", limits.monthlyUsd);
  const subjects: [ScopeSubject, ScopedLimits | undefined][] = [
    [{ kind: "pipeline", name: qualifiedName(project?.project, target.pipelineName) }, limits.perPipeline?.[target.pipelineName]],
    ...[...new Set(target.tags ?? [])].map((tag): [ScopeSubject, ScopedLimits | undefined] => [
      { kind: "tag", name: qualifiedName(project?.project, tag) },
      limits.perTag?.[tag],
    ]),
  ];
  for (const [subject, scoped] of subjects) {
    add("day", scoped?.dailyUsd, subject);
    add("month", scoped?.monthlyUsd, subject);
  }
  if (project !== undefined) {
    add("day", project.dailyUsd, { kind: "project", name: project.project });
    add("month", project.monthlyUsd, { kind: "project", name: project.project });
    if (project.team !== undefined) scopeLimits.push(...teamScopeLimits(stored, project.team, project.project));
  }
  return scopeLimits;
}

/** `this run`, `today`, `this month for pipeline release-notes`, `today for tag drafts`. */
export function describeScope(scope: LedgerScope, subject?: ScopeSubject): string {
  const period = scope === "run" ? "this run" : scope === "day" ? "today" : "this month";
  return subject ? `${period} for ${subject.kind} ${subject.name}` : period;
}
