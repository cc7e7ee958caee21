/**
 * The provider contract. Every provider module implements `Provider`; nothing above
 * `src/providers/` sees an SDK type, only these shapes.
 */

export type ProviderType = "mock" | "openai" | "openrouter" | "anthropic" | "gemini" | "ollama" | "cli" | "replay";

/** How a provider's calls are paid for; decides what a budget counts and what "free" means. */
export type PricingMode =
  /** Billed per token at the model's price. */
  | "metered"
  /** Runs on this machine (Ollama) or offline (mock without prices): no cost. */
  | "local"
  /** A flat subscription (a CLI coding agent): no marginal cost, maybe a daily call cap. */
  | "subscription";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  /**
   * The first `stableChars` characters of `content` (all of it when equal to its length) are the
   * same for every call of the step — the system prompt, the context files — and every message
   * before this one is wholly stable too. Providers that cache prompt prefixes mark the end of the
   * last stable part (Anthropic's `cache_control`). Not part of what is asked: cache keys and
   * fingerprints ignore it.
   */
  stableChars?: number;
}

/** How a call asks the provider to cache its stable prefix (`provider_cache` in the pipeline). */
export interface PromptCacheRequest {
  /** Groups calls that share a prefix (OpenAI's `prompt_cache_key`): the pipeline and the step. */
  key: string;
  /** How long a marked prefix stays written: Anthropic's 5-minute default or 1 hour (2× input per written token instead of 1.25×). */
  ttl: "5m" | "1h";
}

export interface ProviderRequest {
  /** The provider's own model name (the part after `provider:`). */
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  /**
   * The model's context window as the policy states it (`context_window`). Sent only to servers
   * that must be told how much context to allocate (Ollama's `num_ctx`, which otherwise defaults
   * to a few thousand tokens and silently drops the start of a longer prompt).
   */
  contextWindow?: number;
  temperature?: number;
  /** Ask for JSON output where the API supports it. */
  json?: boolean;
  /** Provider prompt caching of the stable prefix; absent: the prefix is not marked (`provider_cache: false`). */
  promptCache?: PromptCacheRequest;
  /**
   * Who is calling, for scripted providers and logs; never sent to a paid API. `logPrompt`: the
   * messages may be written to logs and recordings (false for a sensitive step or under the
   * policy's `log: { prompts: hashes }`; absent means no).
   */
  origin: { runId: string; step: string; logPrompt?: boolean };
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (a subset of inputTokens, billed lower). */
  cachedInputTokens?: number;
  /** Reasoning tokens (a subset of outputTokens) where the API reports them. */
  reasoningTokens?: number;
  /** Input tokens written to the prompt cache at the standard (5-minute) write price (a subset of inputTokens). */
  cacheWriteTokens?: number;
  /** Input tokens written to the prompt cache at the 1-hour write price (a subset of inputTokens). */
  cacheWrite1hTokens?: number;
}

export interface ProviderResponse {
  text: string;
  usage: TokenUsage;
  /** The model that answered, as the API names it. */
  model: string;
  latencyMs: number;
  /** Cost reported by the provider itself (OpenRouter's `usage.cost` plus a BYOK call's upstream cost); wins over the price table. */
  reportedCostUsd?: number;
  finishReason?: string;
  /** True when the answer is synthetic (mock, replay), so the UI and results can say so. */
  synthetic?: boolean;
  /**
   * The API answered without token counts (no `usage`, no `usageMetadata`): `usage` is orch's
   * estimate, which may fall short of the bill (hidden reasoning tokens, another tokenizer). The
   * executor charges such a call its reservation's worst case and emits `usage-missing`.
   */
  usageMissing?: true;
}

/**
 * Lets a caller cover every attempt of one call before it goes out, retries included, without the
 * provider knowing what covers it (orch's executor holds one budget reservation per attempt). Only
 * the resilience wrapper, which makes the retries, calls it; the first attempt is the caller's own.
 */
export interface AttemptGate {
  /** Before retry number `attempt` (2, 3, …) goes out (a reservation in a store: asynchronous). A returned reason stops the retries there. */
  beforeRetry(attempt: number): Promise<string | undefined>;
  /** After each attempt that failed, with the usage it was billed (undefined: none was reported); settled before the next attempt. */
  afterFailedAttempt(attempt: number, usage: TokenUsage | undefined): Promise<void>;
}

export interface Availability {
  available: boolean;
  /** Why not, in words a user can act on (`OPENAI_API_KEY is not set`). */
  reason?: string;
  /** Models known to the provider, where it can list them (Ollama's pulled models). */
  models?: string[];
}

export interface Provider {
  /** The provider's name in the policy (`providers.<id>`). */
  readonly id: string;
  readonly type: ProviderType;
  readonly pricing: PricingMode;
  /** True when data never leaves the machine: the only kind a `sensitive` step may use. */
  readonly local: boolean;
  /** `gate` is passed down by wrappers and honoured where retries are made (providers/resilience). */
  call(request: ProviderRequest, signal: AbortSignal, gate?: AttemptGate): Promise<ProviderResponse>;
  available(model?: string): Promise<Availability>;
  close?(): Promise<void>;
  /** The vendor's batch API (half price, answers within a window), where orch drives it (openai, anthropic, gemini). */
  batch?: BatchCapability;
}

/** One call of a batch: `customId` names it in the results. */
export interface BatchEntry {
  customId: string;
  request: ProviderRequest;
}

/** Where a submitted batch stands. `ended`: every entry has an answer or a failure, by custom id. */
export type BatchState =
  | { state: "pending"; done: number; total: number }
  | { state: "ended"; answers: Map<string, BatchAnswer> }
  /** The whole batch failed (refused input) or expired before answering: nothing was billed. */
  | { state: "failed" | "expired"; reason: string };

export type BatchAnswer = { ok: true; response: ProviderResponse } | { ok: false; reason: string; expired: boolean };

export interface BatchCapability {
  /**
   * Calls that cannot share a batch are kept apart by this key (Gemini: a batch names one model):
   * each key's calls are submitted as a batch of their own, so a refusal of one batch leaves the
   * others submitted, recorded and collected. Absent: every call of the provider may share one.
   */
  batchGroupOf?(request: ProviderRequest): string;
  /** Submits the entries as one batch, all created or none; returns the vendor's batch id. */
  submit(entries: readonly BatchEntry[], signal: AbortSignal): Promise<string>;
  /** Asks where the batch stands, and collects the answers once it has ended. */
  poll(batchId: string, signal: AbortSignal): Promise<BatchState>;
  /**
   * The answer an entry got from its batch, as orch uses it: told once per answer used, whether it
   * came from a poll, from a batch submitted before a restart, or from an answer kept in the store
   * (`orch batch collect`). What wraps a provider to see its answers (`--record`) listens here.
   */
  answered?(entry: BatchEntry, response: ProviderResponse): void;
}
