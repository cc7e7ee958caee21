/**
 * SQL pieces the PostgreSQL store implementations share, written so that each query answers what
 * SQLite's answers for the same rows (the contracts promise one row shape and the same values).
 */
import type { PostgresClient, PostgresPool } from "./connection.js";

/** A pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = PostgresPool | PostgresClient;

/**
 * A run row as SQLite's `SELECT * FROM runs` returns it: every column but `seq` (PostgreSQL's
 * stand-in for SQLite's rowid), in SQLite's order.
 */
export const runColumns = `runs.id, runs.pipeline_name, runs.pipeline_path, runs.policy_path, runs.status, runs.inputs_json, runs.started_at,
  runs.finished_at, runs.results_directory, runs.process_id, runs.exit_code, runs.resumed_at, runs.resume_count`;

/**
 * SQLite's SUM of REAL values (compensated summation, see migration 0003_run_log's
 * `orch_real_sum`), 0 over no rows. PostgreSQL's own float8 SUM adds naively
 * (0.1 + 0.2 + 0.3 = 0.6000000000000001 where SQLite answers 0.6).
 */
export function sumOfReals(expression: string): string {
  return `COALESCE(orch_real_sum(${expression}), 0)`;
}

/** SQLite's AVG of REAL values: its compensated sum divided by the count, in floating point. */
export function averageOfReals(expression: string): string {
  return `orch_real_avg(${expression})`;
}

/**
 * `CAST(ROUND(x) AS INTEGER)` as SQLite computes it for x ≥ 0: truncate x + 0.5, in floating point
 * (PostgreSQL's own round() of a float8 breaks ties to even, and NUMERIC would see x rounded to 15 digits).
 */
export function sqliteRoundToInteger(expression: string): string {
  return `(CASE WHEN (${expression}) >= 0 THEN trunc((${expression}) + 0.5::float8) ELSE -trunc(0.5::float8 - (${expression})) END)::bigint`;
}

/** The first row, or undefined. */
export async function firstRow<T extends object>(database: Queryable, sql: string, values: unknown[] = []): Promise<T | undefined> {
  const result = await database.query<T>(sql, values);
  return result.rows[0];
}

export async function allRows<T extends object>(database: Queryable, sql: string, values: unknown[] = []): Promise<T[]> {
  return (await database.query<T>(sql, values)).rows;
}
