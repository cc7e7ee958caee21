/**
 * Building the one normalised error from what a provider's SDK told us. SDK errors are not kept as
 * `cause`: they carry response bodies and headers, and a key echoed there must not reach a log
 * through `util.inspect`. Everything useful is copied into the message, scrubbed.
 */
import { ProviderError, type ProviderErrorKind } from "../provider-error.js";
import type { TokenUsage } from "../provider.js";
import { classifyHttpFailure } from "./http-error-kind.js";
import { redactSecrets } from "../../secrets/redact.js";
import type { RetryHints } from "./retry-hints.js";

export interface FailureReport {
  providerId: string;
  /** The key (and any other secret) that must not appear in the message. */
  secrets: ReadonlyArray<string | undefined>;
  /** Tokens already used when the failure came mid-stream. */
  usage?: TokenUsage;
}

export function httpFailureError(
  report: FailureReport,
  failure: { status: number | undefined; message: string; code?: string | number | null | undefined; hints?: RetryHints },
): ProviderError {
  const classified = classifyHttpFailure(failure);
  const statusText = failure.status === undefined ? "" : ` (HTTP ${failure.status})`;
  const hints = failure.hints ?? {};
  const options = {
    kind: classified.kind,
    provider: report.providerId,
    message: `${report.providerId}: ${redactSecrets(failure.message, report.secrets)}${statusText}`,
    ...(hints.retryAfterMs === undefined ? {} : { retryAfterMs: hints.retryAfterMs }),
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(report.usage === undefined ? {} : { usage: report.usage }),
  };
  const byKind = new ProviderError(options);
  // The server's `x-should-retry: false` can stop a retry; it never makes a final error retryable.
  const retryable = (classified.retryable ?? byKind.retryable) && hints.shouldRetry !== false;
  return retryable === byKind.retryable ? byKind : new ProviderError({ ...options, retryable });
}

export function plainFailureError(report: FailureReport, kind: ProviderErrorKind, message: string): ProviderError {
  return new ProviderError({
    kind,
    provider: report.providerId,
    message: `${report.providerId}: ${redactSecrets(message, report.secrets)}`,
    ...(report.usage === undefined ? {} : { usage: report.usage }),
  });
}

/** Re-attaches usage to an error raised before the usage was known (mid-stream failures). */
export function withUsage(error: ProviderError, usage: TokenUsage | undefined): ProviderError {
  if (usage === undefined || error.usage !== undefined) return error;
  return error.withUsage(usage);
}
