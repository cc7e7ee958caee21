/**
 * Where a team's budget stands, for `orch budget` and `orch budget team show`: the team's own day
 * and month, then each of its projects, then each pipeline of that project — each with its
 * limit(s), spent, held (open reservations), expired (at their worst case) and left. Real money
 * only: team and project scopes are calendar budgets.
 *
 * Written against the asynchronous `LedgerStore` contract, so it reads a SQLite or a PostgreSQL
 * ledger alike.
 */
import type { LedgerStore, ScopeKeys, ScopeSubject, TeamLimit, TeamLimitScope } from "../contracts/ledger-store.js";
import { qualifiedName } from "../store/ledger-scopes.js";
import type { BudgetLimits } from "./limits.js";
import { nanoToUsd, usdToNano } from "./money.js";

/** Where a limit comes from: the team's stored limits (with who set it and when), or the policy read by this command. */
export type LimitSource = { from: "team"; setBy: string; setAt: string } | { from: "policy" };

export interface SourcedLimit {
  limitUsd: number;
  source: LimitSource;
}

export interface TeamScopeFigures {
  scope: TeamLimitScope;
  subject: ScopeSubject;
  /** The day or month. */
  period: string;
  /** Every limit on this scope; the tightest binds. Empty: no limit, spend is still shown. */
  limits: SourcedLimit[];
  spentUsd: number;
  reservedUsd: number;
  expiredUsd: number;
  expiredCount: number;
  /** tightest limit − (spent + held + expired), never below 0; absent without a limit. */
  leftUsd?: number;
}

export interface PipelineFigures {
  /** The pipeline's own name (it counts as `project/pipeline` in the ledger). */
  pipeline: string;
  day: TeamScopeFigures;
  month: TeamScopeFigures;
}

export interface ProjectFigures {
  project: string;
  day: TeamScopeFigures;
  month: TeamScopeFigures;
  pipelines: PipelineFigures[];
}

export interface TeamStatus {
  team: string;
  /** The team's own day and month (their `period` says which). */
  day: TeamScopeFigures;
  month: TeamScopeFigures;
  projects: ProjectFigures[];
}

/**
 * `policy`: the limits of the policy this command read, when it names this team: its project's
 * own limits and per-pipeline limits are shown beside the team's (they bind that project only).
 */
export async function teamStatus(store: LedgerStore, team: string, keys: ScopeKeys, policy?: BudgetLimits): Promise<TeamStatus> {
  const stored = await store.teamLimits(team);
  const ownProject = policy?.project?.team === team ? policy.project : undefined;
  const storedFor = (scope: TeamLimitScope, project: string | undefined): SourcedLimit[] =>
    stored
      .filter((limit) => limit.scope === scope && limit.project === project)
      .map((limit: TeamLimit) => ({ limitUsd: nanoToUsd(limit.limitNanoUsd), source: { from: "team", setBy: limit.setBy, setAt: limit.setAt } }));
  const fromPolicy = (usd: number | undefined): SourcedLimit[] => (usd === undefined ? [] : [{ limitUsd: usd, source: { from: "policy" } }]);
  const figures = async (scope: TeamLimitScope, subject: ScopeSubject, limits: SourcedLimit[]): Promise<TeamScopeFigures> => {
    const usage = await store.usageInScope(scope, keys, subject);
    const used = usage.settledNanoUsd + usage.reservedNanoUsd + usage.expiredNanoUsd;
    const tightest = limits.length === 0 ? undefined : Math.min(...limits.map((limit) => limit.limitUsd));
    return {
      scope,
      subject,
      period: keys[scope],
      limits,
      spentUsd: nanoToUsd(usage.settledNanoUsd),
      reservedUsd: nanoToUsd(usage.reservedNanoUsd),
      expiredUsd: nanoToUsd(usage.expiredNanoUsd),
      expiredCount: usage.expiredCount,
      ...(tightest === undefined ? {} : { leftUsd: nanoToUsd(Math.max(0, usdToNano(tightest) - used)) }),
    };
  };

  const teamSubject: ScopeSubject = { kind: "team", name: team };
  const names = new Set([...(await store.teamProjects(team, keys.month)), ...(ownProject ? [ownProject.project] : [])]);
  const projects: ProjectFigures[] = [];
  for (const project of [...names].sort()) {
    const own = ownProject?.project === project;
    const subject: ScopeSubject = { kind: "project", name: project };
    const prefix = qualifiedName(project, "");
    const pipelineNames = new Set([
      ...(await store.subjectsInPeriod("month", keys, "pipeline", prefix)).map((name) => name.slice(prefix.length)),
      ...(own ? Object.keys(policy?.perPipeline ?? {}) : []),
    ]);
    const pipelines: PipelineFigures[] = [];
    for (const pipeline of [...pipelineNames].sort()) {
      const pipelineSubject: ScopeSubject = { kind: "pipeline", name: qualifiedName(project, pipeline) };
      const limits = own ? policy?.perPipeline?.[pipeline] : undefined;
      pipelines.push({
        pipeline,
        day: await figures("day", pipelineSubject, fromPolicy(limits?.dailyUsd)),
        month: await figures("month", pipelineSubject, fromPolicy(limits?.monthlyUsd)),
      });
    }
    projects.push({
      project,
      day: await figures("day", subject, [...storedFor("day", project), ...fromPolicy(own ? ownProject?.dailyUsd : undefined)]),
      month: await figures("month", subject, [...storedFor("month", project), ...fromPolicy(own ? ownProject?.monthlyUsd : undefined)]),
      pipelines,
    });
  }
  return {
    team,
    day: await figures("day", teamSubject, storedFor("day", undefined)),
    month: await figures("month", teamSubject, storedFor("month", undefined)),
    projects,
  };
}
