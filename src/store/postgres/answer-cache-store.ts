/**
 * The answer cache on PostgreSQL (`AnswerCacheStore`): SQLite's queries (`store/cache-repository.ts`)
 * in PostgreSQL's dialect — `IS NOT DISTINCT FROM` for SQLite's `IS`, arrays for `json_each` — so
 * every runner sharing the database finds the answers every other runner paid for. Entries are
 * written with their call (`PostgresRunStore.recordPaidCall`).
 */
import type { AnswerCacheStore, CacheStats, CachedAnswerRow } from "../../contracts/answer-cache-store.js";
import { inTransaction, type PostgresPool } from "./connection.js";
import { nanoToUsd } from "../../money/nano.js";
import { firstRow, namedStatement, sqliteRoundToInteger } from "./sql.js";

const columns = `id, cache_key AS "cacheKey", run_id AS "runId", step, item_index AS "itemIndex", provider, model, answer,
  input_tokens AS "inputTokens", output_tokens AS "outputTokens", cost_usd AS "costUsd", state, created_at AS "createdAt"`;

const findReusableStatement = namedStatement(
  "find_reusable_answer",
  `SELECT ${columns} FROM cached_answers
   WHERE cache_key = $1 AND state = 'accepted' AND shareable = 1 AND created_at >= $2 AND NOT (id = ANY($3::bigint[]))
   ORDER BY created_at DESC, id DESC LIMIT 1`,
);

const findInRunStatement = namedStatement(
  "find_answer_in_run",
  `SELECT ${columns} FROM cached_answers
   WHERE cache_key = $1 AND NOT (id = ANY($2::bigint[]))
     AND ((run_id = $3 AND step = $4 AND item_index IS NOT DISTINCT FROM $5::integer)
       OR id IN (SELECT entry_id FROM cached_answer_uses WHERE run_id = $3 AND step = $4 AND item_index IS NOT DISTINCT FROM $5::integer))
   ORDER BY id LIMIT 1`,
);

export class PostgresAnswerCacheStore implements AnswerCacheStore {
  constructor(private readonly pool: PostgresPool) {}

  findReusable(cacheKey: string, since: string, excluded: readonly number[]): Promise<CachedAnswerRow | undefined> {
    return firstRow<CachedAnswerRow>(this.pool, findReusableStatement, [cacheKey, since, excluded]);
  }

  findInRun(cacheKey: string, runId: string, step: string, itemIndex: number | undefined, excluded: readonly number[]): Promise<CachedAnswerRow | undefined> {
    return firstRow<CachedAnswerRow>(this.pool, findInRunStatement, [cacheKey, excluded, runId, step, itemIndex ?? null]);
  }

  forgetResumeOnly(runId: string): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`DELETE FROM cached_answer_uses WHERE run_id = $1`, [runId]);
      const deleted = await client.query(`DELETE FROM cached_answers WHERE run_id = $1 AND (shareable = 0 OR state != 'accepted')`, [runId]);
      return deleted.rowCount ?? 0;
    });
  }

  async stats(): Promise<CacheStats> {
    const row = (await firstRow<Omit<CacheStats, "resumeOnly" | "savedUsd"> & { savedNanoUsd: number }>(
      this.pool,
      `SELECT COUNT(*) AS entries,
              COALESCE(SUM(CASE WHEN state = 'accepted' AND shareable = 1 THEN 1 ELSE 0 END), 0) AS reusable,
              COALESCE(SUM(octet_length(answer)), 0) AS "answerBytes",
              MIN(created_at) AS oldest, MAX(created_at) AS newest,
              COALESCE(SUM(hits), 0) AS hits, COALESCE(SUM(hits * ${sqliteRoundToInteger("cost_usd * 1e9")}), 0) AS "savedNanoUsd"
       FROM cached_answers`,
    ))!;
    // In nano-dollars, each answer's cost rounded as SQLite's store rounds it (cache-repository.ts).
    const { savedNanoUsd, ...counts } = row;
    return { ...counts, savedUsd: nanoToUsd(savedNanoUsd), resumeOnly: row.entries - row.reusable };
  }

  clear(before?: string): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // Ended single-flight claims (in-flight-store.ts) only point waiters at entries: they go with them.
      await client.query(`DELETE FROM in_flight_calls WHERE state <> 'in-flight' AND ($1::text IS NULL OR released_at < $1)`, [before ?? null]);
      const result =
        before === undefined
          ? await client.query(`DELETE FROM cached_answers`)
          : await client.query(`DELETE FROM cached_answers WHERE created_at < $1`, [before]);
      return result.rowCount ?? 0;
    });
  }
}
