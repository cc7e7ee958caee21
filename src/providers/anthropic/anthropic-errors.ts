/** @anthropic-ai/sdk errors → ProviderError. */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { ProviderError } from "../provider-error.js";
import { abortError } from "../shared/abort.js";
import { describeNetworkFailure, isNetworkFailure } from "../shared/network-failure.js";
import { httpFailureError, plainFailureError, withUsage, type FailureReport } from "../shared/provider-failure.js";
import { retryHintsFromHeaders } from "../shared/retry-hints.js";

/**
 * The status each documented error type comes with, for errors that arrive as a stream `error`
 * event after a 200 (no status of their own).
 */
const statusOfErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export function normaliseAnthropicError(error: unknown, report: FailureReport, signal: AbortSignal): ProviderError {
  if (ProviderError.isInstance(error)) return withUsage(error, report.usage);
  if (signal.aborted || error instanceof APIUserAbortError) return abortError(report.providerId, signal, report.usage);
  if (error instanceof APIConnectionTimeoutError) return plainFailureError(report, "timeout", "the connection timed out");
  if (error instanceof APIConnectionError) return plainFailureError(report, "network", describeNetworkFailure(error.cause ?? error));
  if (error instanceof APIError) {
    const status = error.status ?? (error.type === null ? undefined : statusOfErrorType[error.type]);
    return httpFailureError(report, {
      status,
      message: error.apiMessage ?? error.message,
      code: error.errorCode ?? error.type,
      hints: retryHintsFromHeaders(error.headers),
    });
  }
  if (error instanceof SyntaxError) return plainFailureError(report, "server", `the server sent malformed JSON (${error.message})`);
  if (isNetworkFailure(error)) return plainFailureError(report, "network", describeNetworkFailure(error));
  return plainFailureError(report, "server", error instanceof Error ? error.message : String(error));
}
