/**
 * SQL pieces the PostgreSQL store implementations share, written so that each query answers what
 * SQLite's answers for the same rows (the contracts promise one row shape and the same values).
 */
import type { QueryResult, QueryResultRow } from "pg";
import type { PostgresClient, PostgresPool } from "./connection.js";

/** A pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = PostgresPool | PostgresClient;

/**
 * A statement whose text never changes, sent by name: each connection parses and plans it once
 * (`Parse` on first use), then only binds and executes it, which saves the server's parse and
 * plan of every call on the hot path. Only for constant text: a text built per call (a variable
 * IN list, optional conditions) would add one prepared statement per variant to every connection.
 * Not for `SELECT *` either: a prepared star fails ("cached plan must not change result type")
 * once a newer orch adds a column while this process runs.
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

const namedTexts = new Map<string, string>();

/** Declares a named statement (at module level); one name is one text, as each connection's cache requires. */
export function namedStatement(name: string, text: string): NamedStatement {
  const known = namedTexts.get(name);
  if (known !== undefined && known !== text) throw new Error(`two PostgreSQL statements are named ${name}`);
  namedTexts.set(name, text);
  return { name: `orch_${name}`, text };
}

/** Runs a statement: SQL text as an unnamed statement (parsed and planned each time), a `NamedStatement` by name. */
export function execute<T extends QueryResultRow = QueryResultRow>(database: Queryable, sql: string | NamedStatement, values: unknown[] = []): Promise<QueryResult<T>> {
  return typeof sql === "string" ? database.query<T>(sql, values) : database.query<T>({ name: sql.name, text: sql.text, values });
}

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
export async function firstRow<T extends QueryResultRow>(database: Queryable, sql: string | NamedStatement, values: unknown[] = []): Promise<T | undefined> {
  return (await execute<T>(database, sql, values)).rows[0];
}

export async function allRows<T extends QueryResultRow>(database: Queryable, sql: string | NamedStatement, values: unknown[] = []): Promise<T[]> {
  return (await execute<T>(database, sql, values)).rows;
}
