/** What each provider's wire format must provide to the shared request handling. */
import type { FakeFault } from "../behaviour.js";
import type { FakeAnswer } from "../fake-answer.js";
import type { StreamPlan } from "../stream-plan.js";

/** The faults that are answered with an HTTP error in the provider's own error format. */
export type ErrorFault = Extract<FakeFault, { type: "rate_limit" | "server_error" | "unauthorized" | "context_length" }>;

export interface ErrorReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ChatDialect {
  errorReply(fault: ErrorFault, answer: FakeAnswer): ErrorReply;
  completeBody(answer: FakeAnswer): unknown;
  streamPlan(answer: FakeAnswer): StreamPlan;
}

export function isErrorFault(fault: FakeFault): fault is ErrorFault {
  return fault.type === "rate_limit" || fault.type === "server_error" || fault.type === "unauthorized" || fault.type === "context_length";
}

/** `Retry-After` (seconds), `retry-after-ms` and `x-should-retry`, as OpenAI and Anthropic send them. */
export function retryHeaders(fault: ErrorFault): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.type !== "rate_limit") return headers;
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
  if (fault.shouldRetry !== undefined) headers["x-should-retry"] = String(fault.shouldRetry);
  return headers;
}

/** Seconds a rate-limited client is told to wait, for messages and body fields. */
export function retryAfterSecondsOf(fault: ErrorFault): number {
  if (fault.type !== "rate_limit") return 0;
  return fault.retryAfterSeconds ?? (fault.retryAfterMs ?? 1000) / 1000;
}

/** How the real APIs echo a refused key: a few characters from each end, never the whole key. */
export function maskKey(key: string): string {
  if (key.length <= 12) return "*".repeat(key.length);
  return `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}
