/**
 * Batches sent to vendors' batch APIs, on PostgreSQL (`BatchStore`): SQLite's queries
 * (`store/batch-repository.ts`), so a pending call submitted by one runner is collected, not paid
 * again, by whichever process resumes the run.
 */
import type {
  BatchCallEnd,
  BatchJobEnd,
  BatchJobRow,
  BatchJobSummary,
  BatchStore,
  KeptBatchAnswer,
  PendingBatchCall,
  SubmittedBatch,
  SubmittedBatchCall,
} from "../../contracts/batch-store.js";
import { inTransaction, type PostgresClient, type PostgresPool } from "./connection.js";
import { allRows, firstRow } from "./sql.js";

const jobColumns = `j.id AS "batchJobId", j.run_id AS "runId", r.pipeline_path AS "pipelinePath", r.policy_path AS "policyPath", j.provider,
  j.vendor_batch_id AS "vendorBatchId", j.submitted_at AS "submittedAt", j.deadline_at AS "deadlineAt", j.status`;

/** Marks a batch call answered from its batch (or given up), on the caller's transaction when it has one. */
export async function finishBatchCall(client: PostgresClient | PostgresPool, batchJobId: number, customId: string, status: BatchCallEnd): Promise<void> {
  await client.query(`UPDATE batch_calls SET status = $1 WHERE batch_job_id = $2 AND custom_id = $3`, [status, batchJobId, customId]);
}

export class PostgresBatchStore implements BatchStore {
  constructor(private readonly pool: PostgresPool) {}

  recordSubmitted(job: SubmittedBatch, calls: readonly SubmittedBatchCall[]): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO batch_jobs (run_id, provider, vendor_batch_id, submitted_at, deadline_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [job.runId, job.provider, job.vendorBatchId, job.submittedAt, job.deadlineAt],
      );
      const id = inserted.rows[0]!.id;
      await client.query(
        `INSERT INTO batch_calls (batch_job_id, custom_id, cache_key, step, item)
         SELECT $1, custom_id, cache_key, step, item FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[]) AS call (custom_id, cache_key, step, item)`,
        [id, calls.map((call) => call.customId), calls.map((call) => call.cacheKey), calls.map((call) => call.step), calls.map((call) => call.item ?? null)],
      );
      return id;
    });
  }

  async pendingCall(provider: string, cacheKey: string): Promise<PendingBatchCall | undefined> {
    const row = await firstRow<PendingBatchCall & { answerJson: string | null }>(
      this.pool,
      `SELECT j.id AS "batchJobId", j.vendor_batch_id AS "vendorBatchId", c.custom_id AS "customId", j.deadline_at AS "deadlineAt", c.answer_json AS "answerJson"
       FROM batch_calls c JOIN batch_jobs j ON j.id = c.batch_job_id
       WHERE c.cache_key = $1 AND c.status = 'pending' AND j.provider = $2
         AND (j.status = 'pending' OR (j.status = 'ended' AND c.answer_json IS NOT NULL))
       ORDER BY j.id DESC LIMIT 1`,
      [cacheKey, provider],
    );
    if (row === undefined) return undefined;
    const { answerJson, ...call } = row;
    return answerJson === null ? call : { ...call, answerJson };
  }

  recordAnswers(batchJobId: number, answers: readonly KeptBatchAnswer[]): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `UPDATE batch_calls c SET answer_json = kept.answer_json
         FROM unnest($2::text[], $3::text[]) AS kept (custom_id, answer_json)
         WHERE c.batch_job_id = $1 AND c.custom_id = kept.custom_id AND c.answer_json IS NULL`,
        [batchJobId, answers.map((answer) => answer.customId), answers.map((answer) => answer.answerJson)],
      );
      await client.query(`UPDATE batch_jobs SET status = 'ended' WHERE id = $1 AND status = 'pending'`, [batchJobId]);
    });
  }

  pendingJobs(runId?: string): Promise<BatchJobRow[]> {
    return allRows<BatchJobRow>(
      this.pool,
      `SELECT ${jobColumns} FROM batch_jobs j LEFT JOIN runs r ON r.id = j.run_id
       WHERE j.status = 'pending' AND ($1::text IS NULL OR j.run_id = $1) ORDER BY j.id`,
      [runId ?? null],
    );
  }

  jobSummaries(runId?: string): Promise<BatchJobSummary[]> {
    return allRows<BatchJobSummary>(
      this.pool,
      `SELECT ${jobColumns}, COUNT(c.custom_id) AS calls,
         COUNT(*) FILTER (WHERE c.status = 'pending' AND c.answer_json IS NULL) AS waiting,
         COUNT(*) FILTER (WHERE c.status = 'pending' AND c.answer_json IS NOT NULL) AS answered,
         COUNT(*) FILTER (WHERE c.status = 'collected') AS collected,
         COUNT(*) FILTER (WHERE c.status = 'fallen-back') AS "fallenBack"
       FROM batch_jobs j LEFT JOIN runs r ON r.id = j.run_id LEFT JOIN batch_calls c ON c.batch_job_id = j.id
       WHERE ($1::text IS NULL OR j.run_id = $1)
       GROUP BY j.id, r.pipeline_path, r.policy_path ORDER BY j.id DESC`,
      [runId ?? null],
    );
  }

  finishCall(batchJobId: number, customId: string, status: BatchCallEnd): Promise<void> {
    return finishBatchCall(this.pool, batchJobId, customId, status);
  }

  async finishJob(batchJobId: number, status: BatchJobEnd): Promise<void> {
    await this.pool.query(`UPDATE batch_jobs SET status = $1 WHERE id = $2 AND status = 'pending'`, [status, batchJobId]);
  }
}
