/**
 * Gemini's batch mode through @google/genai: `batches.create({ model, src: inlinedRequests })`
 * sends `POST v1beta/models/{model}:batchGenerateContent` with one
 * `{ request, metadata: { key } }` per call, `batches.get` polls the batch (the SDK maps the
 * wire's `BATCH_STATE_*` to `JOB_STATE_*`), and once it has ended `dest.inlinedResponses` holds one
 * `{ response | error, metadata }` per call. Every token is billed at 50% of the standard price
 * (ai.google.dev/gemini-api/docs/batch-api: "at 50% of the standard cost"); pricing.ts halves.
 *
 * Two things differ from the other vendors' batch APIs:
 * - A batch names one model (in its path). `batchGroupOf` tells the collector to submit each
 *   model's calls as a batch of their own (recorded, polled and falling back apart), and `submit`
 *   refuses calls of several models rather than create some batches and fail on a later one. A
 *   batch id of several names joined by spaces (recorded by an earlier version) is polled as one.
 * - An answer is matched to its call by `metadata.key`. Responses have been seen without it
 *   (googleapis/js-genai#1191), and the documented order ("the same order as the input requests")
 *   has been seen broken on large batches (googleapis/python-genai#1909). Without a key, the
 *   process that submitted the batch matches by position; another process (a resumed run,
 *   `orch batch collect`) cannot, and such calls fall back to an ordinary call.
 */
import type { GoogleGenAI, BatchJob, InlinedRequest, InlinedResponse } from "@google/genai";
import type { BatchAnswer, BatchCapability, BatchEntry, BatchState } from "../provider.js";
import { batchGroupOfType } from "../provider-traits.js";
import { normaliseGeminiError } from "./gemini-errors.js";
import { buildGenerateParameters } from "./gemini-request.js";
import { tokenUsageOf } from "./gemini-usage.js";

/** The SDK's states of a batch that has ended; any other (queued, pending, running, being cancelled…) is still pending. */
const endedStates = new Set(["JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"]);

/** Where one of the vendor's batches stands, before the batches of one submission are put together. */
type OneBatch = { state: "pending"; total: number } | { state: "answered"; answers: Map<string, BatchAnswer> } | { state: "failed"; reason: string };

export function geminiBatch(client: GoogleGenAI, providerId: string, secrets: (string | undefined)[]): BatchCapability {
  const guarded = async <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw normaliseGeminiError(error, { providerId, secrets }, signal);
    }
  };
  /** Each batch's custom ids in the order sent, for responses that come back without their key. */
  const sentOrder = new Map<string, string[]>();

  async function submitOne(model: string, entries: readonly BatchEntry[], signal: AbortSignal): Promise<string> {
    const requests: InlinedRequest[] = entries.map((entry) => {
      const { contents, config } = buildGenerateParameters(entry.request, signal);
      const { abortSignal: _perCallSignal, ...generation } = config ?? {};
      return { contents, config: generation, metadata: { key: entry.customId } };
    });
    const job = await withOwnSignal(signal, (abortSignal) => client.batches.create({ model, src: requests, config: { displayName: displayNameFor(entries.length), abortSignal } }));
    if (job.name === undefined) throw new Error("the batch was created without a name to poll it by");
    sentOrder.set(job.name, entries.map((entry) => entry.customId));
    return job.name;
  }

  async function pollOne(name: string, signal: AbortSignal): Promise<OneBatch> {
    const job = await withOwnSignal(signal, (abortSignal) => client.batches.get({ name, config: { abortSignal } }));
    const state = String(job.state ?? "JOB_STATE_UNSPECIFIED");
    if (!endedStates.has(state)) return { state: "pending", total: sentOrder.get(name)?.length ?? callsNamedIn(job.displayName) };
    if (state === "JOB_STATE_FAILED" || state === "JOB_STATE_CANCELLED") {
      // The SDK keeps no error of a Gemini API batch (only Vertex AI's), so the state is the reason.
      return { state: "failed", reason: `the batch ended in ${state}` };
    }
    // An expired batch keeps what it finished (billed); the rest has no answer.
    return { state: "answered", answers: answersOf(job, sentOrder.get(name)) };
  }

  return {
    // A batch names one model: each model's calls go up, and fall back, on their own.
    batchGroupOf: batchGroupOfType("gemini")!,
    submit: (entries, signal) =>
      guarded(signal, async () => {
        const models = new Set(entries.map((entry) => entry.request.model));
        // One request creates one batch, so a submission is created whole or not at all: several
        // models would be several creations, and a refusal after the first would leave a batch
        // answered and billed for calls that fall back.
        if (models.size !== 1) throw new Error(`a Gemini batch names one model; these calls name ${models.size === 0 ? "none" : [...models].join(", ")} (group them with batchGroupOf)`);
        return submitOne([...models][0]!, entries, signal);
      }),
    // Batches recorded before one model per submission carry several names, joined by spaces.
    poll: (batchId, signal) =>
      guarded(signal, async () => combined(await Promise.all(batchId.split(" ").map((name) => pollOne(name, signal))))),
  };
}

/**
 * The batch's name for people, which also carries its size: the SDK keeps no `batchStats` of a
 * Gemini API batch, and another process (`orch batch collect`) still says "0 of 3 answered".
 */
function displayNameFor(calls: number): string {
  return `orch: ${calls} call(s)`;
}

function callsNamedIn(displayName: string | undefined): number {
  return Number(/^orch: (\d+) call/.exec(displayName ?? "")?.[1] ?? 0);
}

/**
 * The SDK listens to a request's abort signal and, once the request has succeeded, never stops
 * listening (@google/genai 2.x `createAttemptSignal` is not disposed). The run's one signal would
 * gather a listener per poll, hours of them; each request gets a signal of its own instead.
 */
async function withOwnSignal<T>(signal: AbortSignal, work: (own: AbortSignal) => Promise<T>): Promise<T> {
  const own = new AbortController();
  const abort = () => own.abort(signal.reason);
  if (signal.aborted) abort();
  else signal.addEventListener("abort", abort, { once: true });
  try {
    return await work(own.signal);
  } finally {
    signal.removeEventListener("abort", abort);
  }
}

/** The batches of one submission as one: pending while any is; otherwise every answer there is. */
function combined(batches: OneBatch[]): BatchState {
  const pending = batches.filter((batch) => batch.state === "pending");
  if (pending.length > 0) {
    const answered = batches.reduce((sum, batch) => sum + (batch.state === "answered" ? batch.answers.size : 0), 0);
    return { state: "pending", done: answered, total: answered + pending.reduce((sum, batch) => sum + (batch.state === "pending" ? batch.total : 0), 0) };
  }
  const answers = new Map<string, BatchAnswer>();
  for (const batch of batches) if (batch.state === "answered") for (const [key, answer] of batch.answers) answers.set(key, answer);
  if (answers.size > 0) return { state: "ended", answers };
  const failures = batches.flatMap((batch) => (batch.state === "failed" ? [batch.reason] : []));
  return failures.length > 0 ? { state: "failed", reason: failures.join("; ") } : { state: "expired", reason: "the batch expired before answering" };
}

/** Each inlined response by its call's key (or, without keys, by the order the calls were sent in). */
function answersOf(job: BatchJob, order: string[] | undefined): Map<string, BatchAnswer> {
  const answers = new Map<string, BatchAnswer>();
  const model = job.model?.replace(/^models\//, "") ?? "";
  (job.dest?.inlinedResponses ?? []).forEach((inlined, index) => {
    const key = inlined.metadata?.["key"] ?? order?.[index];
    if (key !== undefined) answers.set(key, answerOf(inlined, model));
  });
  return answers;
}

function answerOf(inlined: InlinedResponse, model: string): BatchAnswer {
  const response = inlined.response;
  if (response === undefined) return { ok: false, expired: false, reason: inlined.error?.message ?? "the batch returned neither an answer nor an error for this call" };
  // A plain object here, not the SDK's class with its `text` getter: the text parts, thoughts left out.
  const candidate = response.candidates?.[0];
  const text = (candidate?.content?.parts ?? []).map((part) => (typeof part.text === "string" && part.thought !== true ? part.text : "")).join("");
  return {
    ok: true,
    response: {
      text,
      ...(response.usageMetadata === undefined ? { usage: { inputTokens: 0, outputTokens: 0 }, usageMissing: true as const } : { usage: tokenUsageOf(response.usageMetadata) }),
      model: response.modelVersion ?? model,
      latencyMs: 0,
      ...(candidate?.finishReason === undefined ? {} : { finishReason: candidate.finishReason }),
    },
  };
}
