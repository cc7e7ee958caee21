/**
 * Batches sent to vendors' batch APIs, on PostgreSQL (`BatchStore`): SQLite's queries
 * (`store/batch-repository.ts`), so a pending call submitted by one runner is collected, not paid
 * again, by whichever process resumes the run.
 */
import type { BatchCallEnd, BatchJobEnd, BatchStore, PendingBatchCall, SubmittedBatch, SubmittedBatchCall } from "../../contracts/batch-store.js";
import { inTransaction, type PostgresPool } from "./connection.js";
import { firstRow } from "./sql.js";

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

  pendingCall(provider: string, cacheKey: string): Promise<PendingBatchCall | undefined> {
    return firstRow<PendingBatchCall>(
      this.pool,
      `SELECT j.id AS "batchJobId", j.vendor_batch_id AS "vendorBatchId", c.custom_id AS "customId", j.deadline_at AS "deadlineAt"
       FROM batch_calls c JOIN batch_jobs j ON j.id = c.batch_job_id
       WHERE c.cache_key = $1 AND c.status = 'pending' AND j.provider = $2 AND j.status = 'pending'
       ORDER BY j.id DESC LIMIT 1`,
      [cacheKey, provider],
    );
  }

  async finishCall(batchJobId: number, customId: string, status: BatchCallEnd): Promise<void> {
    await this.pool.query(`UPDATE batch_calls SET status = $1 WHERE batch_job_id = $2 AND custom_id = $3`, [status, batchJobId, customId]);
  }

  async finishJob(batchJobId: number, status: BatchJobEnd): Promise<void> {
    await this.pool.query(`UPDATE batch_jobs SET status = $1 WHERE id = $2 AND status = 'pending'`, [status, batchJobId]);
  }
}
