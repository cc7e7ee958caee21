/**
 * Calls of `batch:` steps go to the vendor's batch API instead of one request each. Calls for the
 * same provider (and batch group: Gemini's model) that arrive close together are submitted as one
 * batch; the batch
 * and its calls are written to the store before anything waits (so `orch run --resume` collects a
 * pending call instead of paying for it again); one poller per batch reports progress and hands
 * each waiting call its answer. A batch that fails, expires or outlives the step's deadline makes
 * its calls throw `BatchFallback`: the attempt then calls synchronously under the same budget rules.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { BatchAnswer, BatchCapability, BatchState, ProviderRequest, ProviderResponse } from "../providers/provider.js";
import { checkBatchJob, keptAnswer } from "./batch-jobs.js";
import type { RunContext } from "./run-context.js";

/**
 * Calls are gathered until none has arrived for `quietMs` (for_each items reach the batch within
 * milliseconds of each other, their step's cap notwithstanding: see fan-out.ts), but never for
 * longer than `longestCollectionMs` after the first, so a steady trickle still goes up.
 */
const quietMs = 100;
const longestCollectionMs = 5_000;
/** Between polls of a pending batch; `ORCH_BATCH_POLL_MS` shortens it (tests, a local fake server). */
const defaultPollMs = 30_000;

export class BatchFallback extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface BatchCall {
  providerId: string;
  capability: BatchCapability;
  request: ProviderRequest;
  cacheKey: string;
  step: string;
  item?: number;
  deadlineMs: number;
  signal: AbortSignal;
}

/** One call of a recorded batch. */
export interface BatchCallRef {
  batchJobId: number;
  customId: string;
}

interface Waiting {
  call: BatchCall;
  customId: string;
  resolve(job: SubmittedCall): void;
  reject(error: unknown): void;
}

interface SubmittedCall {
  batchJobId: number;
  vendorBatchId: string;
  customId: string;
  deadlineAt: number;
}

type FinalState = Exclude<BatchState, { state: "pending" }> | { state: "deadline"; reason: string };

const collectors = new WeakMap<RunContext, BatchCollector>();

export function batchCollectorOf(context: RunContext): BatchCollector {
  let collector = collectors.get(context);
  if (collector === undefined) {
    collector = new BatchCollector(context);
    collectors.set(context, collector);
  }
  return collector;
}

export class BatchCollector {
  readonly #queues = new Map<string, { waiting: Waiting[]; firstAt: number; timer?: NodeJS.Timeout }>();
  readonly #pollers = new Map<string, Promise<FinalState>>();
  readonly #pollMs: number;
  #sequence = 0;

  constructor(private readonly context: RunContext) {
    const configured = Number(context.environment["ORCH_BATCH_POLL_MS"]);
    this.#pollMs = Number.isFinite(configured) && configured > 0 ? configured : defaultPollMs;
  }

  /**
   * The call's answer from its batch (a pending one from an earlier process first), and which batch
   * call it was: the attempt marks it collected in the transaction that records it, so a crash in
   * between leaves the kept answer to a resumed run. Throws BatchFallback when there is no answer.
   */
  async call(call: BatchCall): Promise<{ response: ProviderResponse; batchCall: BatchCallRef; vendorBatchId: string }> {
    const earlier = await this.context.store.batches.pendingCall(call.providerId, call.cacheKey);
    const submitted: SubmittedCall = earlier
      ? { batchJobId: earlier.batchJobId, vendorBatchId: earlier.vendorBatchId, customId: earlier.customId, deadlineAt: Date.parse(earlier.deadlineAt) }
      : await this.#enqueue(call);
    let answer: BatchAnswer | undefined;
    let final: FinalState | undefined;
    if (earlier?.answerJson !== undefined) {
      // Its batch ended and its answer was kept (by the run that died, or `orch batch collect`): no vendor call.
      this.#emit(call, "collecting", `taking the answer kept from batch ${earlier.vendorBatchId}, which ended before the restart`, earlier.vendorBatchId);
      answer = keptAnswer(earlier.answerJson);
    } else {
      if (earlier) this.#emit(call, "collecting", `collecting batch ${earlier.vendorBatchId}, submitted before the restart`, earlier.vendorBatchId);
      final = await abortable(this.#pollerFor(call, submitted), call.signal);
      answer = final.state === "ended" ? final.answers.get(submitted.customId) : undefined;
    }
    if (answer?.ok) {
      call.capability.answered?.({ customId: submitted.customId, request: call.request }, answer.response);
      return { response: answer.response, batchCall: { batchJobId: submitted.batchJobId, customId: submitted.customId }, vendorBatchId: submitted.vendorBatchId };
    }
    const reason = answer ? answer.reason : final === undefined || final.state === "ended" ? "the batch has no answer for this call" : final.reason;
    await this.context.store.batches.finishCall(submitted.batchJobId, submitted.customId, "fallen-back");
    throw new BatchFallback(`batch ${submitted.vendorBatchId}: ${reason}`);
  }

  #enqueue(call: BatchCall): Promise<SubmittedCall> {
    return new Promise((resolve, reject) => {
      // One queue per batch the vendor will take: the provider's, or one per group it asks for.
      const queueKey = `${call.providerId}\0${call.capability.batchGroupOf?.(call.request) ?? ""}`;
      let queue = this.#queues.get(queueKey);
      if (queue === undefined) {
        queue = { waiting: [], firstAt: Date.now() };
        this.#queues.set(queueKey, queue);
      }
      const customId = `orch-${createHash("sha256").update(call.cacheKey).digest("hex").slice(0, 24)}-${(this.#sequence += 1)}`;
      queue.waiting.push({ call, customId, resolve, reject });
      clearTimeout(queue.timer);
      const wait = Math.max(0, Math.min(quietMs, queue.firstAt + longestCollectionMs - Date.now()));
      queue.timer = setTimeout(() => void this.#submit(queueKey, call.providerId, call.capability), wait);
    });
  }

  async #submit(queueKey: string, providerId: string, capability: BatchCapability): Promise<void> {
    const queue = this.#queues.get(queueKey)?.waiting ?? [];
    this.#queues.delete(queueKey);
    const submittedAt = this.context.now();
    const deadlineAt = submittedAt.getTime() + Math.min(...queue.map((waiting) => waiting.call.deadlineMs));
    try {
      const vendorBatchId = await capability.submit(queue.map((waiting) => ({ customId: waiting.customId, request: waiting.call.request })), this.context.signal);
      const batchJobId = await this.context.store.batches.recordSubmitted(
        { runId: this.context.runId, provider: providerId, vendorBatchId, submittedAt: submittedAt.toISOString(), deadlineAt: new Date(deadlineAt).toISOString() },
        queue.map((waiting) => ({ customId: waiting.customId, cacheKey: waiting.call.cacheKey, step: waiting.call.step, ...(waiting.call.item === undefined ? {} : { item: waiting.call.item }) })),
      );
      for (const waiting of queue) {
        this.#emit(waiting.call, "submitted", `${queue.length} call(s) in one batch at 50% of the price; answers wait up to ${formatWait(deadlineAt - submittedAt.getTime())}`, vendorBatchId);
        waiting.resolve({ batchJobId, vendorBatchId, customId: waiting.customId, deadlineAt });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const waiting of queue) waiting.reject(new BatchFallback(`the batch could not be submitted: ${reason}`));
    }
  }

  #pollerFor(call: BatchCall, submitted: SubmittedCall): Promise<FinalState> {
    let poller = this.#pollers.get(submitted.vendorBatchId);
    if (poller === undefined) {
      poller = this.#poll(call, submitted);
      this.#pollers.set(submitted.vendorBatchId, poller);
    }
    return poller;
  }

  async #poll(call: BatchCall, submitted: SubmittedCall): Promise<FinalState> {
    const batches = this.context.store.batches;
    let lastDone = -1;
    for (;;) {
      let state: BatchState;
      try {
        state = await checkBatchJob(batches, call.capability, submitted, this.context.redact, this.context.signal);
      } catch (error) {
        if (this.context.signal.aborted) throw error;
        // A failed poll is not a failed batch: ask again next time, until the deadline.
        state = { state: "pending", done: Math.max(0, lastDone), total: 0 };
      }
      if (state.state !== "pending") return state;
      if (state.done !== lastDone) {
        lastDone = state.done;
        this.#emit(call, "progress", `${state.done} of ${state.total} answered`, submitted.vendorBatchId);
      }
      if (this.context.now().getTime() >= submitted.deadlineAt) {
        await batches.finishJob(submitted.batchJobId, "abandoned");
        return { state: "deadline", reason: "the step's batch deadline passed before the batch ended" };
      }
      await sleep(this.#pollMs, undefined, { signal: this.context.signal });
    }
  }

  #emit(call: BatchCall, phase: "submitted" | "collecting" | "progress", detail: string, batchId: string): void {
    this.context.emit({
      type: "batch",
      step: call.step,
      ...(call.item === undefined ? {} : { item: call.item }),
      provider: call.providerId,
      batchId,
      phase,
      detail,
      at: this.context.now().toISOString(),
    });
  }
}

function formatWait(milliseconds: number): string {
  const hours = milliseconds / 3_600_000;
  return hours >= 1 ? `${Math.round(hours * 10) / 10}h` : `${Math.max(1, Math.round(milliseconds / 60_000))}m`;
}

/**
 * Waiting calls' abort handlers, one listener per signal: the items of a for_each share their
 * step's signal, and fifty listeners on one signal would be a leak warning, not fifty handlers.
 */
const abortHandlers = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, handler: () => void): () => void {
  let handlers = abortHandlers.get(signal);
  if (handlers === undefined) {
    const created = new Set<() => void>();
    handlers = created;
    abortHandlers.set(signal, created);
    signal.addEventListener("abort", () => [...created].forEach((each) => each()), { once: true });
  }
  handlers.add(handler);
  return () => handlers.delete(handler);
}

/** The shared poller's result, or the waiting call's own abort (its step's timeout, Ctrl-C). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const stopListening = onAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        stopListening();
        resolve(value);
      },
      (error: unknown) => {
        stopListening();
        reject(error);
      },
    );
  });
}
