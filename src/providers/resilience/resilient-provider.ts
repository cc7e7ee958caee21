/**
 * Wraps a provider with what every call needs: `max_concurrency`, `rpm` and `tpm` limits, a
 * per-attempt timeout, and retries with backoff for retryable errors. Waits are reported through
 * `context.onWait` so progress can show them.
 *
 * Usage of failed attempts (a stream cut after 300 tokens) is added to the call's final usage, on
 * success and on failure alike: those tokens were billed, and the caller records one usage per call.
 *
 * Every retry is covered before it goes out: with an `AttemptGate`, each failed attempt's usage is
 * handed to `afterFailedAttempt` (the caller settles it) and each retry waits for `beforeRetry`
 * (the caller reserves its worst case) — a refusal ends the retries with the last failure. The
 * gate keeps this layer free of any budget knowledge.
 */
import { clockOf, type ProviderContext, type WaitReason } from "../context.js";
import type { ProbingProvider } from "../probe.js";
import { ProviderError } from "../provider-error.js";
import type { AttemptGate, Provider, ProviderRequest, ProviderResponse, TokenUsage } from "../provider.js";
import { abortError } from "../shared/abort.js";
import { estimatePromptTokens } from "../shared/token-estimate.js";
import { attemptSignal } from "./attempt-signal.js";
import { defaultBackoffPolicy, retryDelayMs, type BackoffPolicy } from "./backoff.js";
import { ConcurrencyLimiter } from "./concurrency-limiter.js";
import { SlidingWindowLimiter } from "./sliding-window-limiter.js";

export interface ResilienceSettings {
  max_concurrency?: number;
  rpm?: number;
  tpm?: number;
  timeout_seconds?: number;
  max_retries?: number;
}

export const defaultTimeoutSeconds = 300;
export const defaultMaxRetries = 2;

function addUsage(total: TokenUsage | undefined, more: TokenUsage | undefined): TokenUsage | undefined {
  if (more === undefined) return total;
  if (total === undefined) return more;
  const sum = (a?: number, b?: number): number | undefined => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const cached = sum(total.cachedInputTokens, more.cachedInputTokens);
  const reasoning = sum(total.reasoningTokens, more.reasoningTokens);
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    ...(cached === undefined ? {} : { cachedInputTokens: cached }),
    ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
  };
}

function withTotalUsage(error: ProviderError, usage: TokenUsage | undefined): ProviderError {
  if (usage === undefined || usage === error.usage) return error;
  return error.withUsage(usage);
}

export function withResilience(
  provider: Provider,
  settings: ResilienceSettings,
  context: ProviderContext,
  backoff: BackoffPolicy = defaultBackoffPolicy,
): Provider | ProbingProvider {
  const clock = clockOf(context);
  const concurrency = settings.max_concurrency === undefined ? undefined : new ConcurrencyLimiter(settings.max_concurrency);
  const requestsPerMinute = settings.rpm === undefined ? undefined : new SlidingWindowLimiter(settings.rpm, clock);
  const tokensPerMinute = settings.tpm === undefined ? undefined : new SlidingWindowLimiter(settings.tpm, clock);
  const timeoutMs = (settings.timeout_seconds ?? defaultTimeoutSeconds) * 1000;
  const maxRetries = settings.max_retries ?? defaultMaxRetries;

  function report(request: ProviderRequest, reason: WaitReason, waitMs: number | undefined, extra: { attempt?: number; error?: ProviderError } = {}): void {
    context.onWait?.({
      providerId: provider.id,
      origin: request.origin,
      reason,
      waitMs,
      ...(extra.attempt === undefined ? {} : { attempt: extra.attempt }),
      ...(extra.error === undefined ? {} : { error: { kind: extra.error.kind, message: extra.error.message } }),
    });
  }

  /** Waits for the limits, then makes one attempt under its timeout. */
  async function attempt(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    if (concurrency?.isFull) report(request, "concurrency", undefined);
    const release = concurrency === undefined ? () => {} : await concurrency.acquire(signal);
    try {
      await requestsPerMinute?.acquire(1, signal, (waitMs) => report(request, "rpm", waitMs));
      // Worst case for the window until the real count is known: the prompt plus every allowed output token.
      const tokens =
        tokensPerMinute === undefined
          ? undefined
          : await tokensPerMinute.acquire(estimatePromptTokens(request.messages) + request.maxTokens, signal, (waitMs) => report(request, "tpm", waitMs));
      const bounded = attemptSignal(signal, timeoutMs);
      try {
        const response = await provider.call(request, bounded.signal);
        if (tokens !== undefined) tokens.amount = response.usage.inputTokens + response.usage.outputTokens;
        return response;
      } catch (error) {
        if (tokens !== undefined && ProviderError.isInstance(error) && error.usage !== undefined) {
          tokens.amount = error.usage.inputTokens + error.usage.outputTokens;
        }
        throw error;
      } finally {
        bounded.dispose();
      }
    } finally {
      release();
    }
  }

  async function call(request: ProviderRequest, signal: AbortSignal, gate?: AttemptGate): Promise<ProviderResponse> {
    let usedByFailures: TokenUsage | undefined;
    let lastFailure: ProviderError | undefined;
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      if (attemptNumber > 1 && lastFailure !== undefined) {
        const refusal = await gate?.beforeRetry(attemptNumber);
        if (refusal !== undefined) throw notRetried(lastFailure, refusal);
      }
      let failure: ProviderError;
      try {
        const response = await attempt(request, signal);
        const usage = addUsage(usedByFailures, response.usage);
        return usage === response.usage || usage === undefined ? response : { ...response, usage };
      } catch (error) {
        // A limiter wait cut short by the caller rejects with the signal's reason, not a ProviderError.
        if (signal.aborted && !ProviderError.isInstance(error)) throw abortError(provider.id, signal, usedByFailures);
        if (!ProviderError.isInstance(error)) throw error;
        usedByFailures = addUsage(usedByFailures, error.usage);
        await gate?.afterFailedAttempt(attemptNumber, error.usage);
        failure = withTotalUsage(error, usedByFailures);
        lastFailure = failure;
      }
      if (!failure.retryable || attemptNumber > maxRetries || signal.aborted) throw failure;
      const delay = retryDelayMs(attemptNumber, failure, backoff);
      if (delay === undefined) throw failure;
      report(request, "retry", delay, { attempt: attemptNumber, error: failure });
      try {
        await clock.sleep(delay, signal);
      } catch {
        throw abortError(provider.id, signal, usedByFailures);
      }
    }
  }

  /** The last failure, saying why it was not retried (the caller's refusal, e.g. the budget). */
  function notRetried(failure: ProviderError, refusal: string): ProviderError {
    return new ProviderError({
      kind: failure.kind,
      retryable: false,
      provider: failure.provider,
      message: `${failure.message} (not retried: ${refusal})`,
      ...(failure.status === undefined ? {} : { status: failure.status }),
      ...(failure.usage === undefined ? {} : { usage: failure.usage }),
      cause: failure,
    });
  }

  const wrapped: Provider = {
    id: provider.id,
    type: provider.type,
    pricing: provider.pricing,
    local: provider.local,
    call,
    available: (model) => provider.available(model),
    // A batch is one request that answers later: the vendor retries inside it, orch falls back to a call.
    ...(provider.batch === undefined ? {} : { batch: provider.batch }),
    ...(provider.close === undefined ? {} : { close: () => provider.close?.() ?? Promise.resolve() }),
  };
  const probe = (provider as Partial<ProbingProvider>).probe;
  return probe === undefined ? wrapped : { ...wrapped, probe: (signal: AbortSignal) => probe.call(provider, signal) };
}
