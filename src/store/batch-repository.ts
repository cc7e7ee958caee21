/**
 * Batches submitted to a vendor's batch API and the calls in them (migration 0012_batch_jobs), so a
 * pending call is collected, not paid again, by a later process (`orch run --resume`).
 */
import type { BatchCallEnd, BatchJobEnd, PendingBatchCall, SubmittedBatch, SubmittedBatchCall } from "../contracts/batch-store.js";
import type { SqliteDatabase } from "./database.js";

export class BatchRepository {
  constructor(private readonly database: SqliteDatabase) {}

  /** Records a submitted batch and its calls in one transaction; returns the job's id. */
  recordSubmitted(job: SubmittedBatch, calls: readonly SubmittedBatchCall[]): number {
    return this.database.transaction(() => {
      const id = Number(
        this.database
          .prepare(`INSERT INTO batch_jobs (run_id, provider, vendor_batch_id, submitted_at, deadline_at) VALUES (?, ?, ?, ?, ?)`)
          .run(job.runId, job.provider, job.vendorBatchId, job.submittedAt, job.deadlineAt).lastInsertRowid,
      );
      const insert = this.database.prepare(`INSERT INTO batch_calls (batch_job_id, custom_id, cache_key, step, item) VALUES (?, ?, ?, ?, ?)`);
      for (const call of calls) insert.run(id, call.customId, call.cacheKey, call.step, call.item ?? null);
      return id;
    }).immediate();
  }

  /** The newest call still waiting in a batch of `provider` for this cache key, if any. */
  pendingCall(provider: string, cacheKey: string): PendingBatchCall | undefined {
    const row = this.database
      .prepare(
        `SELECT j.id AS batchJobId, j.vendor_batch_id AS vendorBatchId, c.custom_id AS customId, j.deadline_at AS deadlineAt
         FROM batch_calls c JOIN batch_jobs j ON j.id = c.batch_job_id
         WHERE c.cache_key = ? AND c.status = 'pending' AND j.provider = ? AND j.status = 'pending'
         ORDER BY j.id DESC LIMIT 1`,
      )
      .get(cacheKey, provider) as PendingBatchCall | undefined;
    return row;
  }

  /** A call was answered from its batch, or given up for a synchronous call. */
  finishCall(batchJobId: number, customId: string, status: BatchCallEnd): void {
    this.database.prepare(`UPDATE batch_calls SET status = ? WHERE batch_job_id = ? AND custom_id = ?`).run(status, batchJobId, customId);
  }

  finishJob(batchJobId: number, status: BatchJobEnd): void {
    this.database.prepare(`UPDATE batch_jobs SET status = ? WHERE id = ? AND status = 'pending'`).run(status, batchJobId);
  }
}
