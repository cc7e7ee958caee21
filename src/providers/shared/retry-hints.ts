/**
 * How long a server asked us to wait, and whether it said to retry at all. OpenAI and Anthropic
 * send `retry-after-ms` (preferred, milliseconds), `Retry-After` (seconds or an HTTP date) and
 * `x-should-retry`; Gemini puts the delay in the body as a `google.rpc.RetryInfo` detail.
 */

export interface RetryHints {
  retryAfterMs?: number;
  /** The server's explicit `x-should-retry`, when it sent one. */
  shouldRetry?: boolean;
}

export interface HeaderReader {
  get(name: string): string | null;
}

export function retryHintsFromHeaders(headers: HeaderReader | undefined, now: number = Date.now()): RetryHints {
  if (headers === undefined) return {};
  const hints: RetryHints = {};
  const milliseconds = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  const retryAfter = headers.get("retry-after");
  if (Number.isFinite(milliseconds) && milliseconds >= 0) {
    hints.retryAfterMs = milliseconds;
  } else if (retryAfter !== null) {
    const seconds = Number.parseFloat(retryAfter);
    const dateMs = Date.parse(retryAfter);
    if (/^\s*\d+(\.\d+)?\s*$/.test(retryAfter) && Number.isFinite(seconds)) hints.retryAfterMs = seconds * 1000;
    else if (Number.isFinite(dateMs)) hints.retryAfterMs = Math.max(0, dateMs - now);
  }
  const shouldRetry = headers.get("x-should-retry");
  if (shouldRetry === "true") hints.shouldRetry = true;
  if (shouldRetry === "false") hints.shouldRetry = false;
  return hints;
}

/** Reads `retryDelay` ("20s", "1.500s": a protobuf Duration) from Google's error `details`. */
export function retryAfterMsFromGoogleDetails(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (typeof detail !== "object" || detail === null) continue;
    const record = detail as Record<string, unknown>;
    const delay = record["retryDelay"];
    if (String(record["@type"]).endsWith("google.rpc.RetryInfo") && typeof delay === "string") {
      const seconds = Number.parseFloat(delay);
      if (Number.isFinite(seconds)) return seconds * 1000;
    }
  }
  return undefined;
}
