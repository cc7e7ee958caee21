/**
 * What past calls say about models and providers, on PostgreSQL (`HistoryStore`): the inputs of
 * learning routing, cool-downs and daily caps, shared by every runner. SQLite's queries
 * (`store/history-repository.ts`) in PostgreSQL's dialect; the targets rejected before a call are
 * listed in call order (SQLite's group_concat visits them in that order through its index).
 */
import type { HistoryStore, ProviderOutcomeRow, SettledCallRow } from "../../contracts/history-store.js";
import type { PostgresPool } from "./connection.js";
import { allRows, firstRow, namedStatement, sumOfReals } from "./sql.js";

/**
 * Answered calls with a verdict. Rows older than verdicts (copied from a store written before
 * SQLite's migration 0010) count once their run has finished: an answer not rejected by then was accepted.
 */
const settledCallsQuery = `
  SELECT c.id, c.run_id || '|' || c.step || '|' || COALESCE(c.item_index::text, '') AS unit, c.step,
         c.input_tokens AS "inputTokens", c.output_tokens AS "outputTokens", c.provider || ':' || c.model AS target, c.task, c.language,
         CASE WHEN COALESCE(c.verdict, CASE WHEN c.rejection_reason IS NULL THEN 'accepted' ELSE 'rejected' END) = 'accepted' THEN 1 ELSE 0 END AS accepted,
         c.cost_usd AS "costUsd", c.verdict_at AS "verdictAt",
         (SELECT string_agg(p.provider || ':' || p.model, ' ' ORDER BY p.id) FROM llm_calls p
           WHERE p.run_id = c.run_id AND p.step = c.step AND p.item_index IS NOT DISTINCT FROM c.item_index
             AND p.attempt < c.attempt AND p.rejection_reason IS NOT NULL) AS "failedBefore"
  FROM llm_calls c
  WHERE c.status = 'succeeded'`;

const settledCallsStatement = namedStatement(
  "settled_calls",
  `${settledCallsQuery} AND c.started_at >= $1
     AND (c.verdict IS NOT NULL OR EXISTS (SELECT 1 FROM runs r WHERE r.id = c.run_id AND r.finished_at IS NOT NULL))
   ORDER BY c.id`,
);

/** Read before each route of a run (other runs' verdicts since the last read). */
const settledCallsSinceStatement = namedStatement("settled_calls_since", `${settledCallsQuery} AND c.verdict_at >= $1 AND c.run_id != $2 ORDER BY c.id`);

const recentOutcomesStatement = namedStatement(
  "recent_outcomes",
  `SELECT provider, status, "errorKind", "finishedAt" FROM (
     SELECT provider, status, error_kind AS "errorKind", finished_at AS "finishedAt",
            ROW_NUMBER() OVER (PARTITION BY provider ORDER BY finished_at DESC, id DESC) AS position
     FROM llm_calls WHERE status != 'cached' AND finished_at >= $1) AS ranked
   WHERE position <= $2 ORDER BY provider, "finishedAt" DESC, position`,
);

/** A daily cap's count, read before each call to a capped provider. */
const callsSinceStatement = namedStatement(
  "calls_since",
  `SELECT COUNT(*) AS count FROM llm_calls WHERE provider = $1 AND status != 'cached' AND started_at >= $2`,
);

const costSinceStatement = namedStatement("cost_since", `SELECT ${sumOfReals("cost_usd")} AS cost FROM llm_calls WHERE started_at >= $1`);

export class PostgresHistoryStore implements HistoryStore {
  constructor(private readonly pool: PostgresPool) {}

  settledCalls(since: string): Promise<SettledCallRow[]> {
    return allRows<SettledCallRow>(this.pool, settledCallsStatement, [since]);
  }

  settledCallsSince(verdictAt: string, exceptRunId: string): Promise<SettledCallRow[]> {
    return allRows<SettledCallRow>(this.pool, settledCallsSinceStatement, [verdictAt, exceptRunId]);
  }

  recentOutcomes(since: string, perProvider: number): Promise<ProviderOutcomeRow[]> {
    return allRows<ProviderOutcomeRow>(this.pool, recentOutcomesStatement, [since, perProvider]);
  }

  async callsSince(provider: string, since: string): Promise<number> {
    const row = await firstRow<{ count: number }>(this.pool, callsSinceStatement, [provider, since]);
    return row!.count;
  }

  async costSince(since: string): Promise<number> {
    const row = await firstRow<{ cost: number }>(this.pool, costSinceStatement, [since]);
    return row!.cost;
  }
}
