/**
 * Answers kept by content address (`cache_key`). An entry is written in the same transaction as
 * the call that paid for it, before anything else happens with the answer, so a crash never loses
 * a paid answer. Two uses:
 *   - across runs: an `accepted`, `shareable` entry younger than the step's TTL answers an identical call;
 *   - within a run that is resumed: any entry of that run (even one rejected by the checks, or not
 *     yet checked) answers the same step again, once, so nothing completed is paid twice. So does
 *     an entry another step or run paid for that this step was served (single flight, a cache
 *     hit): each serving is kept in `cached_answer_uses`.
 */
import type { AnswerUse, CachedAnswerRow, CacheStats, NewCachedAnswer } from "../contracts/answer-cache-store.js";
import type { SqliteDatabase } from "./database.js";
import { nanoToUsd } from "../money/nano.js";

const columns = `id, cache_key AS cacheKey, run_id AS runId, step, item_index AS itemIndex, provider, model, answer,
  input_tokens AS inputTokens, output_tokens AS outputTokens, cost_usd AS costUsd, state, created_at AS createdAt`;

export class CacheRepository {
  constructor(private readonly database: SqliteDatabase) {}

  insert(entry: NewCachedAnswer): number {
    const result = this.database
      .prepare(
        `INSERT INTO cached_answers (cache_key, run_id, step, item_index, provider, model, answer, input_tokens, output_tokens, cost_usd,
           state, shareable, call_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      )
      .run(entry.cacheKey, entry.runId, entry.step, entry.itemIndex ?? null, entry.provider, entry.model, entry.answer, entry.inputTokens,
        entry.outputTokens, entry.costUsd, entry.shareable ? 1 : 0, entry.callId, entry.createdAt);
    return Number(result.lastInsertRowid);
  }

  /** The newest reusable answer for the key created at or after `since`, other than `excluded`. */
  findReusable(cacheKey: string, since: string, excluded: readonly number[]): CachedAnswerRow | undefined {
    return this.database
      .prepare(
        `SELECT ${columns} FROM cached_answers
         WHERE cache_key = ? AND state = 'accepted' AND shareable = 1 AND created_at >= ? AND id NOT IN (SELECT value FROM json_each(?))
         ORDER BY created_at DESC, id DESC LIMIT 1`,
      )
      .get(cacheKey, since, JSON.stringify(excluded)) as CachedAnswerRow | undefined;
  }

  /**
   * The oldest answer this run already has for the same step, item and key, other than `excluded`:
   * one it paid for, or one it was served (whoever paid for it).
   */
  findInRun(cacheKey: string, runId: string, step: string, itemIndex: number | undefined, excluded: readonly number[]): CachedAnswerRow | undefined {
    const item = itemIndex ?? null;
    return this.database
      .prepare(
        `SELECT ${columns} FROM cached_answers
         WHERE cache_key = ? AND id NOT IN (SELECT value FROM json_each(?))
           AND ((run_id = ? AND step = ? AND item_index IS ?)
             OR id IN (SELECT entry_id FROM cached_answer_uses WHERE run_id = ? AND step = ? AND item_index IS ?))
         ORDER BY id LIMIT 1`,
      )
      .get(cacheKey, JSON.stringify(excluded), runId, step, item, runId, step, item) as CachedAnswerRow | undefined;
  }

  /** Accepted by some step's checks: from now on other runs may reuse it. */
  markAccepted(id: number): void {
    this.database.prepare(`UPDATE cached_answers SET state = 'accepted' WHERE id = ?`).run(id);
  }

  /** Rejected by the checks; an answer another step already accepted stays accepted. */
  markRejected(id: number): void {
    this.database.prepare(`UPDATE cached_answers SET state = 'rejected' WHERE id = ? AND state = 'pending'`).run(id);
  }

  /**
   * The entry was served to `use`: one more hit (not for a replay of the unit's own answer, which
   * saved nothing), and the serving kept so a resumed run finds it again.
   */
  recordHit(id: number, use: AnswerUse, at: string, replay = false): void {
    if (!replay) this.database.prepare(`UPDATE cached_answers SET hits = hits + 1, last_hit_at = ? WHERE id = ?`).run(at, id);
    this.database
      .prepare(`INSERT INTO cached_answer_uses (entry_id, run_id, step, item_index, used_at) VALUES (?, ?, ?, ?, ?)`)
      .run(id, use.runId, use.step, use.itemIndex ?? null, at);
  }

  /** A run that finished with nothing left to resume no longer needs its resume-only and rejected answers. */
  forgetResumeOnly(runId: string): number {
    this.database.prepare(`DELETE FROM cached_answer_uses WHERE run_id = ?`).run(runId);
    return this.database.prepare(`DELETE FROM cached_answers WHERE run_id = ? AND (shareable = 0 OR state != 'accepted')`).run(runId).changes;
  }

  stats(): CacheStats {
    const row = this.database
      .prepare(
        `SELECT COUNT(*) AS entries,
                COALESCE(SUM(CASE WHEN state = 'accepted' AND shareable = 1 THEN 1 ELSE 0 END), 0) AS reusable,
                COALESCE(SUM(LENGTH(CAST(answer AS BLOB))), 0) AS answerBytes,
                MIN(created_at) AS oldest, MAX(created_at) AS newest,
                COALESCE(SUM(hits), 0) AS hits, COALESCE(SUM(hits * CAST(ROUND(cost_usd * 1e9) AS INTEGER)), 0) AS savedNanoUsd
         FROM cached_answers`,
      )
      .get() as Omit<CacheStats, "resumeOnly" | "savedUsd"> & { savedNanoUsd: number };
    // Summed in nano-dollars, each answer's cost rounded to one as the ledger and `orch runs` count:
    // a sum of the REAL costs drifts (0.000056999999999999996 for $0.000057).
    const { savedNanoUsd, ...counts } = row;
    return { ...counts, savedUsd: nanoToUsd(savedNanoUsd), resumeOnly: row.entries - row.reusable };
  }

  /** Deletes entries created before `before` (ISO), or every entry; returns how many. */
  clear(before?: string): number {
    return this.database
      .transaction(() => {
        // Ended single-flight claims (in-flight-repository.ts) only point waiters at entries: they go with them.
        this.database.prepare(`DELETE FROM in_flight_calls WHERE state <> 'in-flight' AND (? IS NULL OR released_at < ?)`).run(before ?? null, before ?? null);
        if (before === undefined) return this.database.prepare(`DELETE FROM cached_answers`).run().changes;
        return this.database.prepare(`DELETE FROM cached_answers WHERE created_at < ?`).run(before).changes;
      })
      .immediate();
  }
}
