/**
 * A team's own limits on PostgreSQL (`team_budget_limits`), shared by every project and machine,
 * and the lookups behind `orch budget`'s team → project → pipeline view; as SQLite's
 * `store/team-limits.ts`, in PostgreSQL's dialect.
 */
import type { ScopeKeys, ScopeSubject, TeamLimit, TeamLimitChange, TeamLimitScope } from "../../contracts/ledger-store.js";
import { periodOf } from "../ledger-scopes.js";
import { teamLimitOf } from "../team-limits.js";
import type { PostgresClient, PostgresPool } from "./connection.js";

const limitColumns = `team, project, scope, limit_nano_usd AS "limitNanoUsd", set_by AS "setBy", set_at AS "setAt"`;

type Queryable = PostgresPool | PostgresClient;

export async function readTeamLimits(database: Queryable, team: string): Promise<TeamLimit[]> {
  const result = await database.query(`SELECT ${limitColumns} FROM team_budget_limits WHERE team = $1 ORDER BY project COLLATE "C", scope`, [team]);
  return result.rows.map((row) => teamLimitOf({ ...row, setAt: (row.setAt as Date).toISOString() }));
}

/** Runs inside the caller's transaction: the changes and the read-back are one. */
export async function writeTeamLimits(client: PostgresClient, team: string, changes: readonly TeamLimitChange[], setBy: string, setAt: string): Promise<TeamLimit[]> {
  for (const change of changes) {
    if (change.limitNanoUsd === null) {
      await client.query(`DELETE FROM team_budget_limits WHERE team = $1 AND project = $2 AND scope = $3`, [team, change.project ?? "", change.scope]);
    } else {
      await client.query(
        `INSERT INTO team_budget_limits (team, project, scope, limit_nano_usd, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (team, project, scope) DO UPDATE SET limit_nano_usd = EXCLUDED.limit_nano_usd, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
        [team, change.project ?? "", change.scope, change.limitNanoUsd, setBy, setAt],
      );
    }
  }
  return readTeamLimits(client, team);
}

export async function teamsIn(pool: PostgresPool, month: string): Promise<string[]> {
  const result = await pool.query<{ team: string }>(
    `SELECT team FROM (SELECT team FROM team_budget_limits UNION SELECT team FROM budget_reservations WHERE team IS NOT NULL AND month = $1) AS teams
     ORDER BY team COLLATE "C"`,
    [month],
  );
  return result.rows.map((row) => row.team);
}

export async function projectsOfTeam(pool: PostgresPool, team: string, month: string): Promise<string[]> {
  const result = await pool.query<{ project: string }>(
    `SELECT project FROM (
       SELECT project FROM team_budget_limits WHERE team = $1 AND project <> ''
       UNION SELECT project FROM budget_reservations WHERE team = $1 AND month = $2 AND project IS NOT NULL
     ) AS projects ORDER BY project COLLATE "C"`,
    [team, month],
  );
  return result.rows.map((row) => row.project);
}

export async function subjectNamesIn(pool: PostgresPool, scope: TeamLimitScope, keys: ScopeKeys, kind: ScopeSubject["kind"], prefix = ""): Promise<string[]> {
  // One row per name: the key holds no money kind here. left(), not LIKE: a name may hold `_` or
  // `%`, which LIKE would read as patterns. COLLATE "C":
  // the same order as SQLite's and JavaScript's code-unit comparison.
  const result = await pool.query<{ name: string }>(
    `SELECT subject_name AS name FROM budget_scope_totals
     WHERE scope = $1 AND period = $2 AND subject_kind = $3 AND left(subject_name, $4) = $5
     ORDER BY subject_name COLLATE "C"`,
    [scope, periodOf(scope, keys), kind, prefix.length, prefix],
  );
  return result.rows.map((row) => row.name);
}
