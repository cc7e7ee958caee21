/**
 * `orch batch collect`: every batch still pending (of one run, or all) is asked once where it
 * stands, through the provider its run's policy configures, by the same `checkBatchJob` that
 * `orch run` polls with. An ended batch's answers are kept in the store; the run is then resumed
 * (`orch run --resume`), which takes each answer from there, records it and its cost once, and
 * carries on with the steps after it. Nothing here touches the ledger: a call's cost is settled
 * when its run records it.
 */
import { loadPolicyFile } from "../config/load-config.js";
import { checkBatchJob } from "../executor/batch-jobs.js";
import { createRedactor } from "../secrets/redact.js";
import type { BatchJobRow } from "../contracts/batch-store.js";
import type { OrchStore } from "../store/index.js";
import { openProviders } from "./open-providers.js";

export type CollectOutcome =
  | { kind: "pending"; done: number; total: number }
  | { kind: "ended"; answered: number; failed: number }
  | { kind: "failed" | "expired"; reason: string }
  /** The batch could not be asked (no policy, no such provider, the vendor refused the request). */
  | { kind: "unchecked"; reason: string };

export interface CollectedJob {
  job: BatchJobRow;
  outcome: CollectOutcome;
}

export interface CollectOptions {
  runId?: string;
  /** A policy to use instead of each run's own (moved, or renamed since). */
  policyFile?: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export async function collectBatches(store: Pick<OrchStore, "batches">, options: CollectOptions): Promise<CollectedJob[]> {
  const jobs = await store.batches.pendingJobs(options.runId);
  const byPolicy = new Map<string, BatchJobRow[]>();
  const collected: CollectedJob[] = [];
  for (const job of jobs) {
    const policyFile = options.policyFile ?? job.policyPath;
    if (policyFile === null) {
      collected.push({ job, outcome: { kind: "unchecked", reason: "its run recorded no policy file; pass --policy" } });
      continue;
    }
    byPolicy.set(policyFile, [...(byPolicy.get(policyFile) ?? []), job]);
  }
  for (const [policyFile, policyJobs] of byPolicy) {
    let policy;
    try {
      policy = await loadPolicyFile(policyFile, options.env);
    } catch (error) {
      const reason = `cannot read the policy ${policyFile}: ${error instanceof Error ? error.message : String(error)}; pass --policy`;
      for (const job of policyJobs) collected.push({ job, outcome: { kind: "unchecked", reason } });
      continue;
    }
    const providers = openProviders(policy, { env: options.env });
    const redact = createRedactor(providers.secrets);
    try {
      for (const job of policyJobs) collected.push({ job, outcome: await collectJob(store, providers.set, job, redact, options.signal) });
    } finally {
      await providers.close();
    }
  }
  return collected.sort((a, b) => a.job.batchJobId - b.job.batchJobId);
}

async function collectJob(
  store: Pick<OrchStore, "batches">,
  providers: ReturnType<typeof openProviders>["set"],
  job: BatchJobRow,
  redact: (text: string) => string,
  signal: AbortSignal,
): Promise<CollectOutcome> {
  try {
    const capability = providers.get(job.provider).batch;
    if (capability === undefined) return { kind: "unchecked", reason: `provider "${job.provider}" of the policy has no batch API` };
    const state = await checkBatchJob(store.batches, capability, job, redact, signal);
    if (state.state === "pending") return { kind: "pending", done: state.done, total: state.total };
    if (state.state !== "ended") return { kind: state.state, reason: state.reason };
    const answers = [...state.answers.values()];
    return { kind: "ended", answered: answers.filter((answer) => answer.ok).length, failed: answers.filter((answer) => !answer.ok).length };
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: "unchecked", reason: redact(error instanceof Error ? error.message : String(error)) };
  }
}
