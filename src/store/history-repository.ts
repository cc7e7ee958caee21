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

/** One answered call whose verdict is known, with the targets rejected before it on the same request. */
export interface SettledCallRow {
  id: number;
  /** The request it answered: run, step and item (`run|step|item`). */
  unit: string;
  step: string;
  inputTokens: number;
  outputTokens: number;
  /** `provider:model`. */
  target: string;
  task: string;
  language: string | null;
  accepted: 0 | 1;
  costUsd: number;
  /** Space-separated targets whose answers were rejected earlier in the same unit (step, item), or null. */
  failedBefore: string | null;
  verdictAt: string | null;
}

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
