/**
 * The report queries on PostgreSQL (`ReportStore`): SQLite's (`store/report-queries.ts`) over the
 * shared store, answering the same rows. Text orders and groupings compare bytewise (the run log's
 * columns are COLLATE "C"; the ledger's tables, older, say it in each ORDER BY), money counted by
 * the ledger is BIGINT nano-dollars summed exactly, and averages of REAL costs are computed as
 * SQLite computes them (`sql.ts`).
 */
import type {
  AverageCostRow,
  BudgetStopRow,
  CachedAnswerCostRow,
  LedgerTagUseRow,
  LedgerUseRow,
  ReportCallRow,
  ReportStore,
} from "../../contracts/report-store.js";
import type { RunRow } from "../../contracts/run-store.js";
import type { PostgresPool } from "./connection.js";
import { allRows, averageOfReals, firstRow, runColumns } from "./sql.js";

const usedNano = `CASE status WHEN 'settled' THEN settled_nano_usd WHEN 'reserved' THEN reserved_nano_usd WHEN 'expired' THEN reserved_nano_usd ELSE 0 END`;

export class PostgresReportStore implements ReportStore {
  constructor(private readonly pool: PostgresPool) {}

  async callsBetween(fromIso: string, toIso: string): Promise<ReportCallRow[]> {
    const rows = await allRows<Omit<ReportCallRow, "synthetic" | "team" | "project"> & { synthetic: number; team: string | null; project: string | null }>(
      this.pool,
      `SELECT c.id, c.run_id AS "runId", c.step_execution_id AS "stepExecutionId", c.step, c.item_index AS "itemIndex", c.attempt,
         (SELECT MAX(other.attempt) FROM llm_calls other
           WHERE other.run_id = c.run_id AND other.step = c.step AND other.item_index IS NOT DISTINCT FROM c.item_index) AS "lastAttempt",
         c.pipeline_name AS "pipelineName", c.task, c.provider, c.provider_type AS "providerType", c.model,
         c.prompt_sha256 AS "promptSha256", c.cache_key AS "cacheKey", c.status,
         (c.status = 'cached' AND EXISTS (SELECT 1 FROM llm_calls paid
           WHERE paid.run_id = c.run_id AND paid.step = c.step AND paid.item_index IS NOT DISTINCT FROM c.item_index AND paid.cache_key = c.cache_key
             AND paid.status = 'succeeded' AND paid.rejection_reason IS NULL AND paid.id < c.id)) AS "replaysOwnAnswer",
         c.input_tokens AS "inputTokens",
         c.output_tokens AS "outputTokens", c.cached_input_tokens AS "cachedInputTokens",
         c.cache_write_tokens + c.cache_write_1h_tokens AS "cacheWriteTokens", c.provider_cache_saved_nano AS "providerCacheSavedNano",
         c.cost_usd AS "costUsd", c.latency_ms AS "latencyMs", c.error_kind AS "errorKind",
         c.rejection_reason AS "rejectionReason", c.checker_output AS "checkerOutput", c.synthetic, c.started_at AS "startedAt",
         s.status AS "stepStatus",
         (SELECT r.project FROM budget_reservations r WHERE r.run_id = c.run_id AND r.project IS NOT NULL LIMIT 1) AS project,
         (SELECT r.team FROM budget_reservations r WHERE r.run_id = c.run_id AND r.project IS NOT NULL LIMIT 1) AS team
       FROM llm_calls c LEFT JOIN step_executions s ON s.id = c.step_execution_id
       WHERE c.started_at >= $1 AND c.started_at < $2
       ORDER BY c.started_at, c.id`,
      [fromIso, toIso],
    );
    return rows.map(({ team, project, ...row }) => ({
      ...row,
      synthetic: row.synthetic === 1,
      ...(team === null ? {} : { team }),
      ...(project === null ? {} : { project }),
    }));
  }

  averageSuccessfulCosts(): Promise<AverageCostRow[]> {
    return allRows<AverageCostRow>(
      this.pool,
      `SELECT pipeline_name AS "pipelineName", step, task, provider, model, COUNT(*) AS calls, ${averageOfReals("cost_usd")} AS "averageCostUsd"
       FROM llm_calls WHERE status = 'succeeded'
       GROUP BY pipeline_name, step, task, provider, model
       ORDER BY pipeline_name, step, provider, model, task`,
    );
  }

  cachedAnswerCosts(fromIso: string, toIso: string): Promise<CachedAnswerCostRow[]> {
    return allRows<CachedAnswerCostRow>(
      this.pool,
      `SELECT cache_key AS "cacheKey", ${averageOfReals("cost_usd")} AS "costUsd" FROM cached_answers
       WHERE cache_key IN (SELECT cache_key FROM llm_calls WHERE status = 'cached' AND cache_key IS NOT NULL AND started_at >= $1 AND started_at < $2)
       GROUP BY cache_key ORDER BY cache_key`,
      [fromIso, toIso],
    );
  }

  ledgerUse(fromMonth: string, toMonth: string): Promise<LedgerUseRow[]> {
    return allRows<LedgerUseRow>(
      this.pool,
      `SELECT day, month, run_id AS "runId", pipeline_name AS "pipelineName", synthetic::integer AS synthetic, SUM(${usedNano}) AS "usedNanoUsd"
       FROM budget_reservations WHERE month >= $1 AND month <= $2
       GROUP BY day, month, run_id, pipeline_name, synthetic
       ORDER BY day COLLATE "C", run_id COLLATE "C", pipeline_name COLLATE "C", synthetic`,
      [fromMonth, toMonth],
    );
  }

  ledgerUseByTag(fromMonth: string, toMonth: string): Promise<LedgerTagUseRow[]> {
    return allRows<LedgerTagUseRow>(
      this.pool,
      `SELECT t.tag, r.day, r.month, r.synthetic::integer AS synthetic, SUM(${usedNano}) AS "usedNanoUsd"
       FROM budget_reservations r JOIN budget_reservation_tags t ON t.reservation_id = r.id
       WHERE r.month >= $1 AND r.month <= $2
       GROUP BY t.tag, r.day, r.month, r.synthetic
       ORDER BY t.tag COLLATE "C", r.day COLLATE "C", r.synthetic`,
      [fromMonth, toMonth],
    );
  }

  budgetStopsBetween(fromIso: string, toIso: string): Promise<BudgetStopRow[]> {
    return allRows<BudgetStopRow>(
      this.pool,
      `SELECT s.run_id AS "runId", r.pipeline_name AS "pipelineName", s.step, s.finished_at AS "finishedAt"
       FROM step_executions s JOIN runs r ON r.id = s.run_id
       WHERE s.status = 'budget_stopped' AND s.finished_at >= $1 AND s.finished_at < $2
       ORDER BY s.finished_at, s.id`,
      [fromIso, toIso],
    );
  }

  async pipelineNames(): Promise<string[]> {
    const rows = await allRows<{ name: string }>(
      this.pool,
      `SELECT pipeline_name COLLATE "C" AS name FROM runs UNION SELECT pipeline_name COLLATE "C" FROM budget_reservations ORDER BY name`,
    );
    return rows.map((row) => row.name);
  }

  async runKnown(runId: string): Promise<boolean> {
    const row = await firstRow(this.pool, `SELECT 1 AS known FROM runs WHERE id = $1 UNION ALL SELECT 1 FROM budget_reservations WHERE run_id = $1 LIMIT 1`, [runId]);
    return row !== undefined;
  }

  latestRun(beforeIso: string, pipelinePath?: string): Promise<RunRow | undefined> {
    return firstRow<RunRow>(
      this.pool,
      `SELECT ${runColumns} FROM runs WHERE started_at < $1 AND ($2::text IS NULL OR pipeline_path = $2) ORDER BY started_at DESC, seq DESC LIMIT 1`,
      [beforeIso, pipelinePath ?? null],
    );
  }
}
