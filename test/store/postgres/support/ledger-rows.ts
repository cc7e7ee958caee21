/**
 * Figures of the multi-runner test read straight from the ledger's rows with SQL — never through
 * the store's running totals or the code that renders `orch budget` — so that what the CLI prints
 * can be checked against them.
 */
import type pg from "pg";
import { leaseLockNamespace } from "../../../../src/store/postgres/process-lease.js";

/** What a calendar scope holds of real money, in nano-dollars, by state. */
export interface HeldFromRows {
  spent: number;
  held: number;
  expired: number;
  expiredCount: number;
}

/**
 * Real money of the day (or month) `period` in the reservations matching `where` (SQL over
 * `budget_reservations`, parameters from $2 on).
 */
export async function heldFromRows(pool: pg.Pool, column: "day" | "month", period: string, where: string, ...parameters: unknown[]): Promise<HeldFromRows> {
  const { rows } = await pool.query(
    `SELECT COALESCE(SUM(settled_nano_usd) FILTER (WHERE status = 'settled'), 0) AS spent,
       COALESCE(SUM(reserved_nano_usd) FILTER (WHERE status = 'reserved'), 0) AS held,
       COALESCE(SUM(reserved_nano_usd) FILTER (WHERE status = 'expired'), 0) AS expired,
       COUNT(*) FILTER (WHERE status = 'expired') AS expired_count
     FROM budget_reservations WHERE ${column} = $1 AND NOT synthetic AND (${where})`,
    [period, ...parameters],
  );
  const row = rows[0];
  return { spent: Number(row.spent), held: Number(row.held), expired: Number(row.expired), expiredCount: Number(row.expired_count) };
}

/** Overruns of real money recorded in `day` for reservations matching `where` (over `budget_reservations r`), in nano-dollars, sorted. */
export async function overrunsFromRows(pool: pg.Pool, day: string, where: string, ...parameters: unknown[]): Promise<number[]> {
  const { rows } = await pool.query(
    `SELECT o.overrun_nano_usd AS overrun FROM budget_overruns o JOIN budget_reservations r ON r.id = o.reservation_id
     WHERE o.day = $1 AND NOT o.synthetic AND (${where}) ORDER BY o.overrun_nano_usd`,
    [day, ...parameters],
  );
  return rows.map((row) => Number(row.overrun));
}

/** A stored team limit, or undefined. */
export async function storedLimit(pool: pg.Pool, team: string, project: string, scope: "day" | "month"): Promise<number | undefined> {
  const { rows } = await pool.query(`SELECT limit_nano_usd FROM team_budget_limits WHERE team = $1 AND project = $2 AND scope = $3`, [team, project, scope]);
  return rows.length === 0 ? undefined : Number(rows[0].limit_nano_usd);
}

/** Waits (bounded) until no session holds the leases of these runs: the server frees them when it sees a killed process's connection close. */
export async function leasesReleased(pool: pg.Pool, runIds: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT COUNT(*) AS held FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objsubid = 2
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND objid::text::int IN (SELECT DISTINCT lease_id FROM budget_reservations WHERE run_id = ANY($2))`,
      [leaseLockNamespace, runIds],
    );
    if (Number(rows[0].held) === 0) return;
    if (Date.now() > deadline) throw new Error(`the leases of ${runIds.join(", ")} are still held 10 s after their processes were killed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The running totals (`budget_scope_totals`) that differ from the sums of their rows, in every
 * scope and subject, for both kinds of money. A reservation counts in its run, day and month, each
 * for everything, its pipeline and each tag (`project/name` for a project's), and — day and month
 * only — its team (with a project) and its project.
 */
export async function totalsNotMatchingRows(pool: pg.Pool): Promise<unknown[]> {
  const { rows } = await pool.query(`
    WITH counted AS (
      SELECT r.*, s.scope, s.period, s.subject_kind, s.subject_name FROM budget_reservations r
      CROSS JOIN LATERAL (
        SELECT scope, CASE scope WHEN 'run' THEN r.run_id WHEN 'day' THEN r.day ELSE r.month END AS period, subject_kind, subject_name
        FROM unnest(ARRAY['run', 'day', 'month']) AS scope
        CROSS JOIN LATERAL (
          SELECT 'all' AS subject_kind, '' AS subject_name
          UNION ALL SELECT 'pipeline', CASE WHEN r.project IS NULL THEN r.pipeline_name ELSE r.project || '/' || r.pipeline_name END
          UNION ALL SELECT 'tag', CASE WHEN r.project IS NULL THEN tag ELSE r.project || '/' || tag END FROM budget_reservation_tags WHERE reservation_id = r.id
          UNION ALL SELECT 'team', r.team WHERE scope <> 'run' AND r.team IS NOT NULL AND r.project IS NOT NULL
          UNION ALL SELECT 'project', r.project WHERE scope <> 'run' AND r.project IS NOT NULL
        ) subjects
      ) s
    ), sums AS (
      SELECT scope, period, subject_kind, subject_name,
        SUM(CASE WHEN status = 'settled' AND NOT synthetic THEN settled_nano_usd ELSE 0 END) AS settled_real,
        SUM(CASE WHEN status = 'reserved' AND NOT synthetic THEN reserved_nano_usd ELSE 0 END) AS reserved_real,
        SUM(CASE WHEN status = 'expired' AND NOT synthetic THEN reserved_nano_usd ELSE 0 END) AS expired_real,
        SUM(CASE WHEN status = 'settled' AND synthetic THEN settled_nano_usd ELSE 0 END) AS settled_synthetic,
        SUM(CASE WHEN status = 'reserved' AND synthetic THEN reserved_nano_usd ELSE 0 END) AS reserved_synthetic,
        SUM(CASE WHEN status = 'expired' AND synthetic THEN reserved_nano_usd ELSE 0 END) AS expired_synthetic
      FROM counted GROUP BY scope, period, subject_kind, subject_name
    )
    SELECT t.scope, t.period, t.subject_kind, t.subject_name, s.scope AS summed_scope, s.subject_kind AS summed_kind, s.subject_name AS summed_name
    FROM budget_scope_totals t
    FULL JOIN sums s USING (scope, period, subject_kind, subject_name)
    WHERE (t.settled_real, t.reserved_real, t.expired_real, t.settled_synthetic, t.reserved_synthetic, t.expired_synthetic)
      IS DISTINCT FROM (s.settled_real, s.reserved_real, s.expired_real, s.settled_synthetic, s.reserved_synthetic, s.expired_synthetic)`);
  return rows;
}
