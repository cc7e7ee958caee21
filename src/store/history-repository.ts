/** What past calls say about models and providers: the inputs of best-value routing and cool-downs. */
import type { ProviderOutcomeRow, SettledCallRow } from "../contracts/history-store.js";
import type { SqliteDatabase } from "./database.js";

/**
 * Answered calls with a verdict. Rows older than verdicts (written before migration 0008) count
 * once their run has finished: an answer not rejected by then was accepted.
 */
const settledCallsQuery = `
  SELECT c.id, c.run_id || '|' || c.step || '|' || COALESCE(c.item_index, '') AS unit, c.step,
         c.input_tokens AS inputTokens, c.output_tokens AS outputTokens, c.provider || ':' || c.model AS target, c.task, c.language,
         CASE WHEN COALESCE(c.verdict, CASE WHEN c.rejection_reason IS NULL THEN 'accepted' ELSE 'rejected' END) = 'accepted' THEN 1 ELSE 0 END AS accepted,
         c.cost_usd AS costUsd, c.verdict_at AS verdictAt,
         (SELECT group_concat(p.provider || ':' || p.model, ' ') FROM llm_calls p
           WHERE p.run_id = c.run_id AND p.step = c.step AND p.item_index IS c.item_index
             AND p.attempt < c.attempt AND p.rejection_reason IS NOT NULL) AS failedBefore
  FROM llm_calls c
  WHERE c.status = 'succeeded'`;

export class HistoryRepository {
  constructor(private readonly database: SqliteDatabase) {}

  /** Settled calls started since `since` (ISO): what a run learns from when it starts. */
  settledCalls(since: string): SettledCallRow[] {
    return this.database
      .prepare(
        `${settledCallsQuery} AND c.started_at >= ?
           AND (c.verdict IS NOT NULL OR EXISTS (SELECT 1 FROM runs r WHERE r.id = c.run_id AND r.finished_at IS NOT NULL))
         ORDER BY c.id`,
      )
      .all(since) as SettledCallRow[];
  }

  /** Calls of other runs whose verdict became known at or after `verdictAt` (ISO): learning across processes while a run goes on. */
  settledCallsSince(verdictAt: string, exceptRunId: string): SettledCallRow[] {
    return this.database
      .prepare(`${settledCallsQuery} AND c.verdict_at >= ? AND c.run_id != ? ORDER BY c.id`)
      .all(verdictAt, exceptRunId) as SettledCallRow[];
  }

  /** The latest calls of each provider, newest first, to tell whether it keeps failing. */
  recentOutcomes(since: string, perProvider: number): ProviderOutcomeRow[] {
    return this.database
      .prepare(
        `SELECT provider, status, errorKind, finishedAt FROM (
           SELECT provider, status, error_kind AS errorKind, finished_at AS finishedAt,
                  ROW_NUMBER() OVER (PARTITION BY provider ORDER BY finished_at DESC, id DESC) AS position
           FROM llm_calls WHERE status != 'cached' AND finished_at >= ?)
         WHERE position <= ? ORDER BY provider, finishedAt DESC`,
      )
      .all(since, perProvider) as ProviderOutcomeRow[];
  }

  /** Calls a provider answered or attempted since `since` (ISO), for subscription daily caps. */
  callsSince(provider: string, since: string): number {
    const row = this.database
      .prepare(`SELECT COUNT(*) AS count FROM llm_calls WHERE provider = ? AND status != 'cached' AND started_at >= ?`)
      .get(provider, since) as { count: number };
    return row.count;
  }

  /** Money spent on calls since `since` (ISO): the "cost today" of watch mode's summaries. */
  costSince(since: string): number {
    const row = this.database.prepare(`SELECT COALESCE(SUM(cost_usd), 0) AS cost FROM llm_calls WHERE started_at >= ?`).get(since) as { cost: number };
    return row.cost;
  }
}
