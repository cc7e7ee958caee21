/**
 * Batches submitted to a vendor's batch API and the calls in them, as a store contract, so a
 * pending call is collected, not paid again, by a later process (`orch run --resume`). Types only.
 */

export interface PendingBatchCall {
  batchJobId: number;
  vendorBatchId: string;
  customId: string;
  deadlineAt: string;
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
export type BatchJobEnd = "ended" | "failed" | "expired" | "abandoned";

export interface BatchStore {
  /** Records a submitted batch and its calls in one transaction; returns the job's id. */
  recordSubmitted(job: SubmittedBatch, calls: readonly SubmittedBatchCall[]): Promise<number>;
  /** The newest call still waiting in a batch of `provider` for this cache key, if any. */
  pendingCall(provider: string, cacheKey: string): Promise<PendingBatchCall | undefined>;
  /** A call was answered from its batch, or given up for a synchronous call. */
  finishCall(batchJobId: number, customId: string, status: BatchCallEnd): Promise<void>;
  finishJob(batchJobId: number, status: BatchJobEnd): Promise<void>;
}
