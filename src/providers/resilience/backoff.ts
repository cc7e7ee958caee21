/** How long to wait before retrying: the server's word within a bound, else exponential with jitter. */
import type { ProviderError } from "../provider-error.js";

export interface BackoffPolicy {
  /** First backoff (before jitter); doubles with each attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest `Retry-After` orch will honour; beyond it the error is returned at once, so the
   * executor can move to another model instead of sleeping for minutes.
   */
  maxRetryAfterMs: number;
  /** In [0, 1); injectable for exact tests. */
  random: () => number;
}

export const defaultBackoffPolicy: BackoffPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  random: Math.random,
};

/** Milliseconds to wait before attempt `failedAttempt + 1`, or undefined when waiting is not worth it. */
export function retryDelayMs(failedAttempt: number, error: ProviderError, policy: BackoffPolicy): number | undefined {
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs > policy.maxRetryAfterMs ? undefined : error.retryAfterMs;
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  // "Equal jitter": at least half the backoff, so retries spread out but never fire at once.
  return Math.round(exponential / 2 + (exponential / 2) * policy.random());
}
