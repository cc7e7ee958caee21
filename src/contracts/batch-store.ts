/**
 * Batches submitted to a vendor's batch API and the calls in them, as a store contract, so a
 * pending call is collected, not paid again, by a later process (`orch run --resume`). Types only.
 */

export interface PendingBatchCall {
  batchJobId: number;
  vendorBatchId: string;
  customId: string;
  deadlineAt: string;
  /** The call's answer (JSON), kept when its batch ended before the call was recorded; absent while the batch runs. */
  answerJson?: string;
}

export type BatchJobStatus = "pending" | "ended" | "failed" | "expired" | "abandoned";

export interface BatchJobRow {
  batchJobId: number;
  runId: string;
  /** The run's pipeline and policy files, to open the provider the batch went to. */
  pipelinePath: string | null;
  policyPath: string | null;
  provider: string;
  vendorBatchId: string;
  submittedAt: string;
  deadlineAt: string;
  status: BatchJobStatus;
}

/** A job and where its calls stand: waiting for the vendor, answered but not yet recorded by their run, collected, or given up. */
export interface BatchJobSummary extends BatchJobRow {
  calls: number;
  waiting: number;
  answered: number;
  collected: number;
  fallenBack: number;
}

/** One answer of an ended batch, by the call's custom id: JSON of the call's answer (scrubbed), or of why the batch gave none. */
export interface KeptBatchAnswer {
  customId: string;
  answerJson: string;
}

export interface SubmittedBatch {
  runId: string;
  provider: string;
  vendorBatchId: string;
  submittedAt: string;
  deadlineAt: string;
}

export interface SubmittedBatchCall {
  customId: string;
  cacheKey: string;
  step: string;
  item?: number;
}

export type BatchCallEnd = "collected" | "fallen-back";
export type BatchJobEnd = Exclude<BatchJobStatus, "pending">;

export interface BatchStore {
  /** Records a submitted batch and its calls in one transaction; returns the job's id. */
  recordSubmitted(job: SubmittedBatch, calls: readonly SubmittedBatchCall[]): Promise<number>;
  /**
   * The newest call of `provider` for this cache key not yet recorded by its run: still waiting in a
   * pending batch, or answered by one that ended (with `answerJson`).
   */
  pendingCall(provider: string, cacheKey: string): Promise<PendingBatchCall | undefined>;
  /** An ended batch's answers kept, and the job marked ended, in one transaction. Answers already kept stay. */
  recordAnswers(batchJobId: number, answers: readonly KeptBatchAnswer[]): Promise<void>;
  /** Batches still running at the vendor (as far as orch knows), oldest first; of one run when given. */
  pendingJobs(runId?: string): Promise<BatchJobRow[]>;
  /** Every batch (of one run when given), newest first, with its calls counted by where they stand. */
  jobSummaries(runId?: string): Promise<BatchJobSummary[]>;
  /** A call was answered from its batch, or given up for a synchronous call. */
  finishCall(batchJobId: number, customId: string, status: BatchCallEnd): Promise<void>;
  finishJob(batchJobId: number, status: BatchJobEnd): Promise<void>;
}
