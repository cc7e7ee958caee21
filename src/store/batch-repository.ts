/**
 * Batches submitted to a vendor's batch API and the calls in them (migrations 0012_batch_jobs,
 * 0014_batch_answers), so a pending call is collected, not paid again, by a later process
 * (`orch run --resume`), and an ended batch's answers are kept until its run records them.
 */
import type { BatchCallEnd, BatchJobEnd, BatchJobRow, BatchJobSummary, KeptBatchAnswer, PendingBatchCall, SubmittedBatch, SubmittedBatchCall } from "../contracts/batch-store.js";
import type { SqliteDatabase } from "./database.js";

const jobColumns = `j.id AS batchJobId, j.run_id AS runId, r.pipeline_path AS pipelinePath, r.policy_path AS policyPath, j.provider,
  j.vendor_batch_id AS vendorBatchId, j.submitted_at AS submittedAt, j.deadline_at AS deadlineAt, j.status`;

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

  /**
   * The newest call of `provider` for this cache key not yet recorded by its run: still waiting in a
   * pending batch, or answered by one that ended (with `answerJson`).
   */
  pendingCall(provider: string, cacheKey: string): PendingBatchCall | undefined {
    const row = this.database
      .prepare(
        `SELECT j.id AS batchJobId, j.vendor_batch_id AS vendorBatchId, c.custom_id AS customId, j.deadline_at AS deadlineAt, c.answer_json AS answerJson
         FROM batch_calls c JOIN batch_jobs j ON j.id = c.batch_job_id
         WHERE c.cache_key = ? AND c.status = 'pending' AND j.provider = ?
           AND (j.status = 'pending' OR (j.status = 'ended' AND c.answer_json IS NOT NULL))
         ORDER BY j.id DESC LIMIT 1`,
      )
      .get(cacheKey, provider) as (PendingBatchCall & { answerJson: string | null }) | undefined;
    if (row === undefined) return undefined;
    const { answerJson, ...call } = row;
    return answerJson === null ? call : { ...call, answerJson };
  }

  /** An ended batch's answers, by custom id, and the job marked ended, in one transaction. Answers already kept stay. */
  recordAnswers(batchJobId: number, answers: readonly KeptBatchAnswer[]): void {
    this.database.transaction(() => {
      const keep = this.database.prepare(`UPDATE batch_calls SET answer_json = ? WHERE batch_job_id = ? AND custom_id = ? AND answer_json IS NULL`);
      for (const answer of answers) keep.run(answer.answerJson, batchJobId, answer.customId);
      this.database.prepare(`UPDATE batch_jobs SET status = 'ended' WHERE id = ? AND status = 'pending'`).run(batchJobId);
    }).immediate();
  }

  /** Batches still running at the vendor (as far as orch knows), oldest first; of one run when given. */
  pendingJobs(runId?: string): BatchJobRow[] {
    return this.database
      .prepare(`SELECT ${jobColumns} FROM batch_jobs j LEFT JOIN runs r ON r.id = j.run_id WHERE j.status = 'pending' AND (? IS NULL OR j.run_id = ?) ORDER BY j.id`)
      .all(runId ?? null, runId ?? null) as BatchJobRow[];
  }

  /** Every batch (of one run when given), newest first, with its calls counted by where they stand. */
  jobSummaries(runId?: string): BatchJobSummary[] {
    return this.database
      .prepare(
        `SELECT ${jobColumns}, COUNT(c.custom_id) AS calls,
           COALESCE(SUM(c.status = 'pending' AND c.answer_json IS NULL), 0) AS waiting,
           COALESCE(SUM(c.status = 'pending' AND c.answer_json IS NOT NULL), 0) AS answered,
           COALESCE(SUM(c.status = 'collected'), 0) AS collected,
           COALESCE(SUM(c.status = 'fallen-back'), 0) AS fallenBack
         FROM batch_jobs j LEFT JOIN runs r ON r.id = j.run_id LEFT JOIN batch_calls c ON c.batch_job_id = j.id
         WHERE (? IS NULL OR j.run_id = ?)
         GROUP BY j.id ORDER BY j.id DESC`,
      )
      .all(runId ?? null, runId ?? null) as BatchJobSummary[];
  }

  /** A call was answered from its batch, or given up for a synchronous call. */
  finishCall(batchJobId: number, customId: string, status: BatchCallEnd): void {
    this.database.prepare(`UPDATE batch_calls SET status = ? WHERE batch_job_id = ? AND custom_id = ?`).run(status, batchJobId, customId);
  }

  finishJob(batchJobId: number, status: BatchJobEnd): void {
    this.database.prepare(`UPDATE batch_jobs SET status = ? WHERE id = ? AND status = 'pending'`).run(status, batchJobId);
  }
}
