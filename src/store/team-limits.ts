/**
 * A team's own limits on SQLite (`team_budget_limits`), and the lookups behind `orch budget`'s
 * team → project → pipeline view. One row per team, project ('' for the team itself) and period,
 * with who set it and when: the team's limits live in the database every project shares, not in
 * each project's policy, so two repositories cannot disagree about one team's limit.
 */
import type { ScopeKeys, ScopeSubject, TeamLimit, TeamLimitChange, TeamLimitScope } from "../contracts/ledger-store.js";
import type { SqliteDatabase } from "./database.js";
import { periodOf } from "./ledger-scopes.js";

export { projectOf, type ProjectColumns } from "./ledger-scopes.js";

interface TeamLimitRow {
  team: string;
  project: string;
  scope: TeamLimitScope;
  limitNanoUsd: number;
  setBy: string;
  setAt: string;
}

/** A stored row as the contract's record ('' is the team's own limit). */
export function teamLimitOf({ project, ...row }: TeamLimitRow): TeamLimit {
  return { ...row, ...(project === "" ? {} : { project }) };
}

export function readTeamLimits(database: SqliteDatabase, team: string): TeamLimit[] {
  const rows = database
    .prepare(
      `SELECT team, project, scope, limit_nano_usd AS limitNanoUsd, set_by AS setBy, set_at AS setAt
       FROM team_budget_limits WHERE team = ? ORDER BY project, scope`,
    )
    .all(team) as TeamLimitRow[];
  return rows.map(teamLimitOf);
}

/** Call inside a transaction: the changes and the read-back are one. */
export function writeTeamLimits(database: SqliteDatabase, team: string, changes: readonly TeamLimitChange[], setBy: string, setAt: string): TeamLimit[] {
  const upsert = database.prepare(
    `INSERT INTO team_budget_limits (team, project, scope, limit_nano_usd, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (team, project, scope) DO UPDATE SET limit_nano_usd = excluded.limit_nano_usd, set_by = excluded.set_by, set_at = excluded.set_at`,
  );
  const remove = database.prepare(`DELETE FROM team_budget_limits WHERE team = ? AND project = ? AND scope = ?`);
  for (const change of changes) {
    if (change.limitNanoUsd === null) remove.run(team, change.project ?? "", change.scope);
    else upsert.run(team, change.project ?? "", change.scope, change.limitNanoUsd, setBy, setAt);
  }
  return readTeamLimits(database, team);
}

export function teamsIn(database: SqliteDatabase, month: string): string[] {
  const rows = database
    .prepare(
      `SELECT team FROM team_budget_limits
       UNION SELECT team FROM budget_reservations WHERE team IS NOT NULL AND month = ?
       ORDER BY team`,
    )
    .all(month) as { team: string }[];
  return rows.map((row) => row.team);
}

export function projectsOfTeam(database: SqliteDatabase, team: string, month: string): string[] {
  const rows = database
    .prepare(
      `SELECT project FROM team_budget_limits WHERE team = ? AND project <> ''
       UNION SELECT project FROM budget_reservations WHERE team = ? AND month = ? AND project IS NOT NULL
       ORDER BY project`,
    )
    .all(team, team, month) as { project: string }[];
  return rows.map((row) => row.project);
}

export function subjectNamesIn(database: SqliteDatabase, scope: TeamLimitScope, keys: ScopeKeys, kind: ScopeSubject["kind"], prefix = ""): string[] {
  // substr, not LIKE: a name may hold `_` or `%`, which LIKE would read as patterns.
  const rows = database
    .prepare(
      `SELECT DISTINCT subject_name AS name FROM budget_scope_totals
       WHERE scope = ? AND period = ? AND subject_kind = ? AND substr(subject_name, 1, ?) = ?
       ORDER BY name`,
    )
    .all(scope, periodOf(scope, keys), kind, prefix.length, prefix) as { name: string }[];
  return rows.map((row) => row.name);
}
