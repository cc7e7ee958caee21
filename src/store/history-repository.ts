/** What past calls say about models and providers: the inputs of best-value routing and cool-downs. */
import type { ModelHistory } from "../policy/decision.js";
import type { SqliteDatabase } from "./database.js";

/** Rows come out in the routing engine's own shape (`reference` is `provider:model`). */
export type ModelHistoryRow = ModelHistory;

export interface ProviderOutcomeRow {
  provider: string;
  status: "succeeded" | "failed";
  errorKind: string | null;
  finishedAt: string;
}

/** Best-value routing looks at this much history: long enough to learn, short enough to follow price changes. */
export const routingHistoryWindowMs = 30 * 24 * 60 * 60_000;

export class HistoryRepository {
  constructor(private readonly database: SqliteDatabase) {}

  /** What best-value routing sees at `now`: the last `routingHistoryWindowMs` of calls. */
  routingHistory(now: Date): ModelHistoryRow[] {
    return this.modelHistory(new Date(now.getTime() - routingHistoryWindowMs).toISOString());
  }

  /** Per model and task type, over calls since `since` (ISO); cache hits are not calls to a model. */
  modelHistory(since: string): ModelHistoryRow[] {
    return this.database
      .prepare(
        `SELECT provider || ':' || model AS reference, task, COUNT(*) AS calls,
                SUM(CASE WHEN status = 'succeeded' AND rejection_reason IS NULL THEN 1 ELSE 0 END) AS successes,
                AVG(cost_usd) AS averageCostUsd, AVG(COALESCE(latency_ms, 0)) AS averageLatencyMs
         FROM llm_calls WHERE status != 'cached' AND started_at >= ?
         GROUP BY provider, model, task`,
      )
      .all(since) as ModelHistoryRow[];
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
