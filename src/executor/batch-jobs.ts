/**
 * One look at a submitted batch, the same for `orch run` (batch-collector.ts, polling until the
 * batch ends) and `orch batch collect` (once per pending batch, with no run waiting): ask the
 * vendor where it stands and, once it has ended, keep every call's answer in the store (scrubbed of
 * secrets) before anything uses it. A run resumed later takes a kept answer from there instead of
 * asking the vendor again, and records it, with its cost, once.
 */
import type { BatchAnswer, BatchCapability, BatchState } from "../providers/provider.js";
import type { BatchStore } from "../contracts/batch-store.js";

export type BatchJobStore = Pick<BatchStore, "recordAnswers" | "finishJob">;

export async function checkBatchJob(
  batches: BatchJobStore,
  capability: BatchCapability,
  job: { batchJobId: number; vendorBatchId: string },
  redact: (text: string) => string,
  signal: AbortSignal,
): Promise<BatchState> {
  const state = await capability.poll(job.vendorBatchId, signal);
  if (state.state === "ended") {
    const answers = [...state.answers].map(([customId, answer]) => ({ customId, answerJson: JSON.stringify(scrubbed(answer, redact)) }));
    await batches.recordAnswers(job.batchJobId, answers);
  } else if (state.state !== "pending") {
    await batches.finishJob(job.batchJobId, state.state);
  }
  return state;
}

/** A kept answer, as `checkBatchJob` wrote it. */
export function keptAnswer(answerJson: string): BatchAnswer {
  return JSON.parse(answerJson) as BatchAnswer;
}

function scrubbed(answer: BatchAnswer, redact: (text: string) => string): BatchAnswer {
  return answer.ok ? { ok: true, response: { ...answer.response, text: redact(answer.response.text) } } : { ...answer, reason: redact(answer.reason) };
}
