/**
 * Read-only queries behind `orch report` and `orch graph --run`. They return plain rows; every
 * figure (shares, percentiles, savings, recommendations) is computed in `src/report/` from them.
 *
 * Instants are ISO-8601 UTC strings as the executor writes them (`Date.toISOString()`), so a
 * string comparison orders them.
 */
import type { SqliteDatabase } from "./database.js";
import type { AverageCostRow, BudgetStopRow, CachedAnswerCostRow, LedgerTagUseRow, LedgerUseRow, ReportCallRow } from "../contracts/report-store.js";
import type { RunRow } from "../contracts/run-store.js";

const usedNano = `CASE status WHEN 'settled' THEN settled_nano_usd WHEN 'reserved' THEN reserved_nano_usd WHEN 'expired' THEN reserved_nano_usd ELSE 0 END`;

export class ReportQueries {
  constructor(private readonly database: SqliteDatabase) {}

  /** Calls started in [fromIso, toIso), oldest first. */
  callsBetween(fromIso: string, toIso: string): ReportCallRow[] {
    const rows = this.database
      .prepare(
        `SELECT c.id, c.run_id AS runId, c.step_execution_id AS stepExecutionId, c.step, c.item_index AS itemIndex, c.attempt,
           (SELECT MAX(other.attempt) FROM llm_calls other
             WHERE other.run_id = c.run_id AND other.step = c.step AND other.item_index IS c.item_index) AS lastAttempt,
           c.pipeline_name AS pipelineName, c.task, c.provider, c.provider_type AS providerType, c.model,
           c.prompt_sha256 AS promptSha256, c.cache_key AS cacheKey, c.status,
           (c.status = 'cached' AND EXISTS (SELECT 1 FROM llm_calls paid
             WHERE paid.run_id = c.run_id AND paid.step = c.step AND paid.item_index IS c.item_index AND paid.cache_key = c.cache_key
               AND paid.status = 'succeeded' AND paid.rejection_reason IS NULL AND paid.id < c.id)) AS replaysOwnAnswer,
           c.input_tokens AS inputTokens,
           c.output_tokens AS outputTokens, c.cached_input_tokens AS cachedInputTokens,
           c.cache_write_tokens + c.cache_write_1h_tokens AS cacheWriteTokens, c.provider_cache_saved_nano AS providerCacheSavedNano,
           c.cost_usd AS costUsd, c.latency_ms AS latencyMs, c.error_kind AS errorKind,
           c.rejection_reason AS rejectionReason, c.checker_output AS checkerOutput, c.synthetic, c.started_at AS startedAt,
           s.status AS stepStatus,
           (SELECT r.project FROM budget_reservations r WHERE r.run_id = c.run_id AND r.project IS NOT NULL LIMIT 1) AS project,
           (SELECT r.team FROM budget_reservations r WHERE r.run_id = c.run_id AND r.project IS NOT NULL LIMIT 1) AS team
         FROM llm_calls c LEFT JOIN step_executions s ON s.id = c.step_execution_id
         WHERE c.started_at >= ? AND c.started_at < ?
         ORDER BY c.started_at, c.id`,
      )
      .all(fromIso, toIso) as (Omit<ReportCallRow, "synthetic" | "replaysOwnAnswer" | "team" | "project"> & {
      synthetic: number;
      replaysOwnAnswer: number;
      team: string | null;
      project: string | null;
    })[];
    return rows.map(({ team, project, ...row }) => ({
      ...row,
      synthetic: row.synthetic === 1,
      replaysOwnAnswer: row.replaysOwnAnswer === 1,
      ...(team === null ? {} : { team }),
      ...(project === null ? {} : { project }),
    }));
  }

  /**
   * Over all time, not just the report's window: a cache hit today saves what a call cost when the
   * answer was first computed, perhaps last month.
   */
  averageSuccessfulCosts(): AverageCostRow[] {
    return this.database
      .prepare(
        `SELECT pipeline_name AS pipelineName, step, task, provider, model, COUNT(*) AS calls, AVG(cost_usd) AS averageCostUsd
         FROM llm_calls WHERE status = 'succeeded'
         GROUP BY pipeline_name, step, task, provider, model
         ORDER BY pipeline_name, step, provider, model`,
      )
      .all() as AverageCostRow[];
  }

  /**
   * What the answers behind the window's cache hits cost when they were first paid for, by cache key
   * (averaged over the entries of a key: they answer the same request).
   */
  cachedAnswerCosts(fromIso: string, toIso: string): CachedAnswerCostRow[] {
    return this.database
      .prepare(
        `SELECT cache_key AS cacheKey, AVG(cost_usd) AS costUsd FROM cached_answers
         WHERE cache_key IN (SELECT cache_key FROM llm_calls WHERE status = 'cached' AND cache_key IS NOT NULL AND started_at >= ? AND started_at < ?)
         GROUP BY cache_key`,
      )
      .all(fromIso, toIso) as CachedAnswerCostRow[];
  }

  /** Ledger use for calendar months in [fromMonth, toMonth] (keys `YYYY-MM`, inclusive). */
  ledgerUse(fromMonth: string, toMonth: string): LedgerUseRow[] {
    return this.database
      .prepare(
        `SELECT day, month, run_id AS runId, pipeline_name AS pipelineName, synthetic, SUM(${usedNano}) AS usedNanoUsd
         FROM budget_reservations WHERE month >= ? AND month <= ?
         GROUP BY day, month, run_id, pipeline_name, synthetic
         ORDER BY day, run_id`,
      )
      .all(fromMonth, toMonth) as LedgerUseRow[];
  }

  ledgerUseByTag(fromMonth: string, toMonth: string): LedgerTagUseRow[] {
    return this.database
      .prepare(
        `SELECT t.tag, r.day, r.month, r.synthetic, SUM(${usedNano}) AS usedNanoUsd
         FROM budget_reservations r JOIN budget_reservation_tags t ON t.reservation_id = r.id
         WHERE r.month >= ? AND r.month <= ?
         GROUP BY t.tag, r.day, r.month, r.synthetic
         ORDER BY t.tag, r.day`,
      )
      .all(fromMonth, toMonth) as LedgerTagUseRow[];
  }

  /** Steps stopped by a budget, finished in [fromIso, toIso). */
  budgetStopsBetween(fromIso: string, toIso: string): BudgetStopRow[] {
    return this.database
      .prepare(
        `SELECT s.run_id AS runId, r.pipeline_name AS pipelineName, s.step, s.finished_at AS finishedAt
         FROM step_executions s JOIN runs r ON r.id = s.run_id
         WHERE s.status = 'budget_stopped' AND s.finished_at >= ? AND s.finished_at < ?
         ORDER BY s.finished_at, s.id`,
      )
      .all(fromIso, toIso) as BudgetStopRow[];
  }

  /** Every pipeline name runs or ledger rows were recorded under, for `--pipeline` and its suggestions. */
  pipelineNames(): string[] {
    return (
      this.database.prepare(`SELECT pipeline_name AS name FROM runs UNION SELECT pipeline_name FROM budget_reservations ORDER BY name`).all() as { name: string }[]
    ).map((row) => row.name);
  }

  /** Whether a run of this id was recorded (its run row, or money the ledger counted for it). */
  runKnown(runId: string): boolean {
    return this.database.prepare(`SELECT 1 FROM runs WHERE id = ? UNION ALL SELECT 1 FROM budget_reservations WHERE run_id = ? LIMIT 1`).get(runId, runId) !== undefined;
  }

  /** The newest run started before `beforeIso`, optionally of one pipeline file. */
  latestRun(beforeIso: string, pipelinePath?: string): RunRow | undefined {
    return (
      pipelinePath === undefined
        ? this.database.prepare(`SELECT * FROM runs WHERE started_at < ? ORDER BY started_at DESC, rowid DESC LIMIT 1`).get(beforeIso)
        : this.database
            .prepare(`SELECT * FROM runs WHERE started_at < ? AND pipeline_path = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`)
            .get(beforeIso, pipelinePath)
    ) as RunRow | undefined;
  }
}
