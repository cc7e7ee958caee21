/**
 * `ollama` package errors → ProviderError. HTTP failures are a `ResponseError` (not exported by the
 * package) with `status_code` and Ollama's `{"error": "..."}` text; stream failures are plain Errors.
 */
import { ProviderError } from "../provider-error.js";
import { abortError } from "../shared/abort.js";
import { describeNetworkFailure, isNetworkFailure } from "../shared/network-failure.js";
import { httpFailureError, plainFailureError, withUsage, type FailureReport } from "../shared/provider-failure.js";

function statusCodeOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== "ResponseError") return undefined;
  const status = (error as Error & { status_code?: unknown }).status_code;
  return typeof status === "number" ? status : undefined;
}

export function normaliseOllamaError(error: unknown, report: FailureReport, signal: AbortSignal): ProviderError {
  if (ProviderError.isInstance(error)) return withUsage(error, report.usage);
  if (signal.aborted) return abortError(report.providerId, signal, report.usage);
  const status = statusCodeOf(error);
  if (status !== undefined) return httpFailureError(report, { status, message: (error as Error).message });
  if (isNetworkFailure(error)) return plainFailureError(report, "network", describeNetworkFailure(error));
  if (error instanceof SyntaxError) return plainFailureError(report, "server", `the server sent malformed JSON (${error.message})`);
  const message = error instanceof Error ? error.message : String(error);
  // The package's words for a stream that ended without its `done: true` line.
  if (/did not receive done/i.test(message)) return plainFailureError(report, "network", "the stream ended before the final done line");
  return plainFailureError(report, "server", message);
}
