/** Telling a timeout from a caller's abort, both of which reach providers as an aborted signal. */
import { ProviderError } from "../provider-error.js";
import type { TokenUsage } from "../provider.js";

/** True when the signal was aborted by a timeout (`AbortSignal.timeout` or orch's own timer). */
export function isTimeoutAbort(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return typeof reason === "object" && reason !== null && (reason as { name?: unknown }).name === "TimeoutError";
}

export function abortError(providerId: string, signal: AbortSignal, usage?: TokenUsage): ProviderError {
  const timedOut = isTimeoutAbort(signal);
  return new ProviderError({
    kind: timedOut ? "timeout" : "aborted",
    provider: providerId,
    message: timedOut ? `${providerId}: no answer before the timeout` : `${providerId}: the call was cancelled`,
    ...(usage === undefined ? {} : { usage }),
  });
}
