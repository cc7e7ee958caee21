/**
 * The call log's read queries on PostgreSQL (`CallLogStore`): `orch runs`, `show` and `diff` over
 * the shared store, answering SQLite's rows (`store/call-log-repository.ts`) for the same data.
 * `runs.seq` breaks ties between runs started at the same instant, as SQLite's rowid does.
 */
import type { CallLogStore, LoggedCall, RunFilter, RunListRow } from "../../contracts/call-log-store.js";
import type { RunRow, StepRow } from "../../contracts/run-store.js";
import type { PostgresPool } from "./connection.js";
import { stepsOfRun } from "./run-store.js";
import { allRows, firstRow, runColumns, sqliteRoundToInteger } from "./sql.js";

export class PostgresCallLogStore implements CallLogStore {
  constructor(private readonly pool: PostgresPool) {}

  listRuns(filter: RunFilter): Promise<RunListRow[]> {
    const conditions: string[] = [];
    const values: (string | number)[] = [];
    const parameter = (value: string | number) => `$${values.push(value)}`;
    if (filter.pipeline !== undefined) conditions.push(`(runs.pipeline_name = ${parameter(filter.pipeline.name)} OR runs.pipeline_path = ${parameter(filter.pipeline.file)})`);
    if (filter.status !== undefined) conditions.push(`runs.status = ${parameter(filter.status)}`);
    if (filter.sinceIso !== undefined) conditions.push(`runs.started_at >= ${parameter(filter.sinceIso)}`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    // Each call's cost in whole nano-dollars, rounded as SQLite's ROUND does, then summed exactly as BIGINT.
    return allRows<RunListRow>(
      this.pool,
      `SELECT ${runColumns}, COALESCE(SUM(${sqliteRoundToInteger("c.cost_usd * 1e9::float8")}), 0) AS cost_nano_usd, COUNT(c.id) AS calls,
         COALESCE(MAX(c.synthetic), 0) AS synthetic
       FROM runs LEFT JOIN llm_calls c ON c.run_id = runs.id
       ${where}
       GROUP BY runs.id ORDER BY runs.started_at DESC, runs.seq DESC LIMIT ${parameter(filter.limit)}`,
      values,
    );
  }

  latestRun(): Promise<RunRow | undefined> {
    return firstRow<RunRow>(this.pool, `SELECT ${runColumns} FROM runs ORDER BY started_at DESC, seq DESC LIMIT 1`);
  }

  runBefore(run: RunRow): Promise<RunRow | undefined> {
    return firstRow<RunRow>(
      this.pool,
      `SELECT ${runColumns} FROM runs
       WHERE pipeline_name = $1 AND (started_at < $2 OR (started_at = $2 AND seq < (SELECT seq FROM runs WHERE id = $3)))
       ORDER BY started_at DESC, seq DESC LIMIT 1`,
      [run.pipeline_name, run.started_at, run.id],
    );
  }

  runsByPrefix(prefix: string, limit = 5): Promise<RunRow[]> {
    // SQLite's LIKE ignores ASCII case; ILIKE does too (run ids are ASCII).
    const escaped = prefix.replace(/[\\%_]/g, (character) => `\\${character}`);
    return allRows<RunRow>(this.pool, `SELECT ${runColumns} FROM runs WHERE id ILIKE $1 ESCAPE '\\' ORDER BY started_at DESC, seq DESC LIMIT $2`, [
      `${escaped}%`,
      limit,
    ]);
  }

  steps(runId: string): Promise<StepRow[]> {
    return stepsOfRun(this.pool, runId);
  }

  async stepRoute(runId: string, step: string): Promise<string | undefined> {
    const row = await firstRow<{ route: string | null }>(
      this.pool,
      `SELECT (result_json::json -> 'route')::text AS route FROM step_executions WHERE run_id = $1 AND step = $2`,
      [runId, step],
    );
    return row?.route === null || row?.route === undefined ? undefined : asJsonExtract(row.route);
  }

  calls(runId: string): Promise<LoggedCall[]> {
    return allRows<LoggedCall>(
      this.pool,
      `SELECT c.id, c.step, c.item_index, c.attempt, c.provider, c.provider_type, c.model, c.status, c.prompt_sha256, c.input_tokens,
         c.output_tokens, c.cost_usd, c.latency_ms, c.error_kind, c.error_message, c.rejection_reason, c.checker_output, c.synthetic,
         c.started_at, t.kept, t.messages_json, t.answer, t.answer_sha256
       FROM llm_calls c LEFT JOIN llm_call_texts t ON t.call_id = c.id
       WHERE c.run_id = $1 ORDER BY c.id`,
      [runId],
    );
  }
}

/**
 * What SQLite's `json_extract(…, '$.route')` answers for the value PostgreSQL's `json -> 'route'`
 * sliced out as written: an object or array minified (the document was written by JSON.stringify,
 * so re-serialising keeps keys, numbers and escapes as they were), a string unquoted, null as none.
 */
function asJsonExtract(slice: string): string | undefined {
  const value: unknown = JSON.parse(slice);
  if (value === null) return undefined;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
