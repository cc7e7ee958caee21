/** openai SDK errors → ProviderError (also used for OpenRouter, which speaks through this SDK). */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { ProviderError } from "../provider-error.js";
import { abortError } from "../shared/abort.js";
import { describeNetworkFailure, isNetworkFailure } from "../shared/network-failure.js";
import { httpFailureError, plainFailureError, withUsage, type FailureReport } from "../shared/provider-failure.js";
import { retryHintsFromHeaders } from "../shared/retry-hints.js";

interface ErrorBody {
  message?: unknown;
  code?: unknown;
  type?: unknown;
}

export function normaliseOpenAiError(error: unknown, report: FailureReport, signal: AbortSignal): ProviderError {
  if (ProviderError.isInstance(error)) return withUsage(error, report.usage);
  if (signal.aborted || error instanceof APIUserAbortError) return abortError(report.providerId, signal, report.usage);
  if (error instanceof APIConnectionTimeoutError) return plainFailureError(report, "timeout", "the connection timed out");
  if (error instanceof APIConnectionError) return plainFailureError(report, "network", describeNetworkFailure(error.cause ?? error));
  if (error instanceof APIError) {
    // For HTTP errors the SDK keeps the body's `error` object; mid-stream errors carry the same shape.
    const body = (error.error ?? {}) as ErrorBody;
    const message = typeof body.message === "string" ? body.message : error.message;
    const code = typeof body.code === "string" || typeof body.code === "number" ? body.code : (error.code ?? (typeof body.type === "string" ? body.type : undefined));
    // OpenRouter repeats the HTTP status in `code`; a mid-stream error has only that.
    const status = error.status ?? (typeof body.code === "number" ? body.code : undefined);
    return httpFailureError(report, { status, message, code, hints: retryHintsFromHeaders(error.headers) });
  }
  if (error instanceof SyntaxError) return plainFailureError(report, "server", `the server sent malformed JSON (${error.message})`);
  if (isNetworkFailure(error)) return plainFailureError(report, "network", describeNetworkFailure(error));
  return plainFailureError(report, "server", error instanceof Error ? error.message : String(error));
}
