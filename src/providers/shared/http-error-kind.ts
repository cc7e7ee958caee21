/**
 * One mapping from an HTTP failure to an error kind, shared by every HTTP provider so that the
 * same status means the same thing whichever vendor sent it.
 */
import type { ProviderErrorKind } from "../provider-error.js";

/** Wording the vendors use when a prompt does not fit the model's context window. */
const contextLengthWording =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|exceeds the maximum number of tokens|input token count|input length exceeds/i;

/** Codes that mean the key was refused, whatever status carried them (Gemini uses 400). */
const authCodes = new Set(["invalid_api_key", "API_KEY_INVALID", "authentication_error", "permission_error"]);

/** Codes that mean the account cannot pay, which waiting will not fix. */
const quotaCodes = new Set(["insufficient_quota", "billing_hard_limit_reached", "contract_spend_limit_reached", "enforced_spend_limit_reached"]);

export interface HttpFailure {
  status: number | undefined;
  message: string;
  /** The vendor's machine-readable code (`context_length_exceeded`, `API_KEY_INVALID`, 429). */
  code?: string | number | null | undefined;
}

export interface ClassifiedFailure {
  kind: ProviderErrorKind;
  /** Set when the kind's default retryability does not fit (an exhausted quota is a 429 but final). */
  retryable?: boolean;
}

export function isContextLengthMessage(message: string): boolean {
  return contextLengthWording.test(message);
}

export function classifyHttpFailure(failure: HttpFailure): ClassifiedFailure {
  const code = failure.code === null || failure.code === undefined ? "" : String(failure.code);
  const status = failure.status;
  if (quotaCodes.has(code)) return { kind: "unavailable", retryable: false };
  if (authCodes.has(code) || status === 401 || status === 403) return { kind: "auth" };
  // Rate-limit messages talk about tokens too ("tokens per min"), so only client errors qualify.
  const mayBeContextLength = status === undefined || status === 400 || status === 413 || status === 422;
  if (mayBeContextLength && (code === "context_length_exceeded" || isContextLengthMessage(failure.message))) {
    return { kind: "context_length" };
  }
  // No status: an error event inside a 200 stream. Connection failures are classified before this.
  if (status === undefined) return { kind: "server" };
  // Out of credits (OpenRouter) or an unknown model: this provider cannot serve it; try another.
  if (status === 402 || status === 404) return { kind: "unavailable", retryable: false };
  if (status === 408) return { kind: "timeout" };
  if (status === 429) return { kind: "rate_limit" };
  // 409 is a lock timeout at OpenAI and Anthropic; their SDKs retry it too.
  if (status === 409 || status >= 500) return { kind: "server" };
  return { kind: "bad_request" };
}
