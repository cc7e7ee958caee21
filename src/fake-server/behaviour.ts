import { FakeBatches } from "./fake-batches.js";
import { FakePromptCache } from "./prompt-cache.js";

/**
 * What a scripted model does: its answers, its timing, its token details and the faults it
 * injects. Behaviours are plain JSON so the same script drives tests and `orch fake-server`.
 */

/** A failure injected into the next request(s) for a model, in each provider's own wire format. */
export type FakeFault =
  /** HTTP 429 with `Retry-After` (seconds) and/or `retry-after-ms`; Gemini puts it in `RetryInfo`. */
  | { type: "rate_limit"; retryAfterSeconds?: number; retryAfterMs?: number; shouldRetry?: boolean; times?: number }
  /** A 5xx answer: 500 by default, 503 (or 529 for Anthropic) when asked. */
  | { type: "server_error"; status?: 500 | 502 | 503 | 529; times?: number }
  /** The key was refused: 401 (Gemini answers 400 API_KEY_INVALID, as the real service does). */
  | { type: "unauthorized"; times?: number }
  /** HTTP 400 saying the prompt is longer than the model's context window (Ollama, which never refuses a chat for length, answers with the prompt truncated instead). */
  | { type: "context_length"; times?: number }
  /** Never answers; the connection stays open until the client gives up. */
  | { type: "hang"; times?: number }
  /** Destroys the socket after `afterChunks` streamed pieces (before any byte when not streaming). */
  | { type: "reset"; afterChunks?: number; times?: number }
  /** A 200 whose body (or one stream event) is not valid JSON. */
  | { type: "malformed_json"; times?: number }
  /** After `afterChunks` pieces the stream carries the provider's in-stream error event (HTTP stays 200). */
  | { type: "stream_error"; afterChunks?: number; times?: number }
  /** The stream ends cleanly but without its final usage/stop event. */
  | { type: "truncated_stream"; times?: number };

export type FakeFaultType = FakeFault["type"];

export interface FakeUsageOverride {
  /** Replaces the counted prompt tokens (cached ones included). */
  inputTokens?: number;
  /** Replaces the counted answer tokens (reasoning ones excluded). */
  outputTokens?: number;
  /**
   * A complete (not streamed) answer comes back with no token counts at all: no `usage` (OpenAI,
   * Anthropic), no `usageMetadata` (Gemini). Batch results are complete answers, so a batched call
   * is answered without them too. The APIs' types allow it (OpenAI's `usage` is optional, some
   * compatible servers leave it out), and orch must not bill such an answer $0.
   */
  omitted?: boolean;
}

export interface FakeModelBehaviour {
  /** Answers used in order, one per request; then `defaultResponse`. */
  responses?: string[];
  defaultResponse?: string;
  /** Delay before the response starts (headers), in milliseconds. */
  latencyMs?: number;
  /** Delay between streamed pieces, in milliseconds. */
  chunkDelayMs?: number;
  /**
   * Prompt tokens reported as served from the provider's cache (capped at the prompt size). Setting
   * this or a cache write replaces the automatic prompt-cache accounting (prompt-cache.ts).
   */
  cachedInputTokens?: number;
  /** Prompt tokens reported as written to the cache for 5 minutes (Anthropic; capped at what the prompt has left). */
  cacheWriteTokens?: number;
  /** Prompt tokens reported as written to the cache for 1 hour (Anthropic; capped at what the prompt has left). */
  cacheWrite1hTokens?: number;
  /** Reasoning/thinking tokens reported on top of the answer's tokens. */
  reasoningTokens?: number;
  usage?: FakeUsageOverride;
  /** OpenRouter's `usage.cost` in USD; computed from 1/2 USD per million tokens when absent. */
  costUsd?: number;
  /**
   * A BYOK call on OpenRouter: the upstream provider's charge in USD, reported as
   * `usage.cost_details.upstream_inference_cost` with `is_byok: true`; `costUsd` is then OpenRouter's fee.
   */
  upstreamCostUsd?: number;
  /** Faults for the next requests, in order; each applies `times` (default 1) requests. */
  faults?: FakeFault[];
  /**
   * The model takes only the default temperature, as Claude Opus 4.7+ and OpenAI reasoning models
   * do (see model-refusals.ts, which knows those by name); set to force it on or off.
   */
  fixedTemperature?: boolean;
  /** How a batch whose first call is for this model ends (OpenAI Batch API, Anthropic Message Batches, Gemini batch mode). */
  batch?: FakeBatchSchedule;
}

export interface FakeBatchSchedule {
  /** Polls answered "in progress" before the batch ends (default 0: the first poll sees it ended). */
  polls?: number;
  /** `complete` (default): every call answered; `expire`: the window passed with nothing answered; `fail`: the batch was refused. */
  outcome?: "complete" | "expire" | "fail";
  /**
   * Gemini: the inlined responses come back without the `metadata.key` each request was sent with,
   * as the API has been seen to answer (googleapis/js-genai#1191); only their order then says
   * which call each answers.
   */
  omitKeys?: boolean;
  /** Gemini: the inlined responses come back in reverse order, as large batches have been seen out of order (googleapis/python-genai#1909). */
  reversed?: boolean;
  /**
   * Gemini: creating a batch for this model is refused with 429 RESOURCE_EXHAUSTED, as the API
   * refuses a batch past the model's limit on enqueued batch tokens; nothing is created or answered.
   */
  refused?: boolean;
}

/** Everything one request needs to know about how to answer. */
export interface FakeTurn {
  text: string;
  fault: FakeFault | undefined;
  latencyMs: number;
  chunkDelayMs: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  usage: FakeUsageOverride;
  costUsd: number | undefined;
  upstreamCostUsd: number | undefined;
}

interface ModelState {
  behaviour: FakeModelBehaviour;
  responseQueue: string[];
  faultQueue: FakeFault[];
}

/** The wildcard model whose behaviour applies to every model without its own script. */
export const anyModel = "*";

/** Per-model scripts and their consumption state, and the vendors' prompt caches they drive. */
export class ModelScripts {
  readonly #states = new Map<string, ModelState>();
  /** What earlier requests left in the fake vendors' prompt caches (prompt-cache.ts); reset with the scripts. */
  readonly promptCache = new FakePromptCache();
  /** Uploaded files and submitted batches (fake-batches.ts); reset with the scripts. */
  readonly batches = new FakeBatches();

  script(model: string, behaviour: FakeModelBehaviour): void {
    const faultQueue: FakeFault[] = [];
    for (const fault of behaviour.faults ?? []) {
      for (let index = 0; index < (fault.times ?? 1); index += 1) faultQueue.push(fault);
    }
    this.#states.set(model, { behaviour, responseQueue: [...(behaviour.responses ?? [])], faultQueue });
  }

  reset(): void {
    this.#states.clear();
    this.promptCache.reset();
    this.batches.reset();
  }

  /** Scripted model names, for the model-listing endpoints. */
  models(): string[] {
    return [...this.#states.keys()].filter((model) => model !== anyModel);
  }

  /** The model's script (or the wildcard's) without consuming anything: for checks before answering. */
  behaviourOf(model: string): FakeModelBehaviour {
    return (this.#states.get(model) ?? this.#states.get(anyModel))?.behaviour ?? {};
  }

  /** Takes the next answer and fault for a model, so each request consumes its own. */
  nextTurn(model: string): FakeTurn {
    const state = this.#states.get(model) ?? this.#states.get(anyModel);
    const behaviour = state?.behaviour ?? {};
    const fault = state?.faultQueue.shift();
    // A faulted request does not use up a scripted answer (the retry should get it), but a broken
    // stream still sends the start of that answer.
    const text = fault === undefined ? state?.responseQueue.shift() : state?.responseQueue[0];
    return {
      text: text ?? behaviour.defaultResponse ?? `Scripted answer from ${model}.`,
      fault,
      latencyMs: behaviour.latencyMs ?? 0,
      chunkDelayMs: behaviour.chunkDelayMs ?? 0,
      cachedInputTokens: behaviour.cachedInputTokens ?? 0,
      cacheWriteTokens: behaviour.cacheWriteTokens ?? 0,
      cacheWrite1hTokens: behaviour.cacheWrite1hTokens ?? 0,
      reasoningTokens: behaviour.reasoningTokens ?? 0,
      usage: behaviour.usage ?? {},
      costUsd: behaviour.costUsd,
      upstreamCostUsd: behaviour.upstreamCostUsd,
    };
  }
}
