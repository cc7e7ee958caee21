/**
 * @google/genai errors → ProviderError. The SDK's ApiError keeps only the status and the response
 * body as a JSON string (no headers), so the retry delay is read from the body's RetryInfo and the
 * cause from `status` / ErrorInfo `reason` (a refused key is HTTP 400 `API_KEY_INVALID`).
 */
import { ApiError } from "@google/genai";
import { ProviderError } from "../provider-error.js";
import { abortError } from "../shared/abort.js";
import { describeNetworkFailure, isNetworkFailure } from "../shared/network-failure.js";
import { httpFailureError, plainFailureError, withUsage, type FailureReport } from "../shared/provider-failure.js";
import { retryAfterMsFromGoogleDetails } from "../shared/retry-hints.js";

interface GoogleErrorBody {
  error?: { code?: unknown; message?: unknown; status?: unknown; details?: unknown };
}

function parseBody(text: string): GoogleErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as GoogleErrorBody) : {};
  } catch {
    return {};
  }
}

/** The ErrorInfo `reason` (API_KEY_INVALID), else the canonical status (RESOURCE_EXHAUSTED). */
function codeOf(body: GoogleErrorBody): string | undefined {
  const details = body.error?.details;
  if (Array.isArray(details)) {
    for (const detail of details) {
      const reason = (detail as { reason?: unknown } | null)?.reason;
      if (typeof reason === "string") return reason;
    }
  }
  return typeof body.error?.status === "string" ? body.error.status : undefined;
}

export function normaliseGeminiError(error: unknown, report: FailureReport, signal: AbortSignal): ProviderError {
  if (ProviderError.isInstance(error)) return withUsage(error, report.usage);
  if (signal.aborted) return abortError(report.providerId, signal, report.usage);
  if (error instanceof ApiError) {
    const body = parseBody(error.message);
    const message = typeof body.error?.message === "string" ? body.error.message : error.message;
    const retryAfterMs = retryAfterMsFromGoogleDetails(body.error?.details);
    return httpFailureError(report, {
      status: error.status,
      message,
      code: codeOf(body),
      hints: retryAfterMs === undefined ? {} : { retryAfterMs },
    });
  }
  if (error instanceof SyntaxError) return plainFailureError(report, "server", `the server sent malformed JSON (${error.message})`);
  if (isNetworkFailure(error)) return plainFailureError(report, "network", describeNetworkFailure(error));
  return plainFailureError(report, "server", error instanceof Error ? error.message : String(error));
}
