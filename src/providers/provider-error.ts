import type { TokenUsage } from "./provider.js";

const providerErrorMarker = Symbol.for("orch.provider-error");

export type ProviderErrorKind =
  | "rate_limit"
  | "auth"
  | "bad_request"
  | "context_length"
  | "server"
  | "timeout"
  | "network"
  | "unavailable"
  /** The caller aborted (Ctrl-C, a cancelled watch run). Never retried. */
  | "aborted";

const retryableKinds: ReadonlySet<ProviderErrorKind> = new Set(["rate_limit", "server", "timeout", "network"]);

/** One normalised error for every provider; the provider's own message is kept. */
export class ProviderError extends Error {
  readonly [providerErrorMarker] = true;
  readonly kind: ProviderErrorKind;
  readonly retryable: boolean;
  /** How long the provider asked us to wait (Retry-After / retry-after-ms), when it said. */
  readonly retryAfterMs: number | undefined;
  readonly provider: string;
  readonly status: number | undefined;
  /** Tokens used before the failure (a broken stream), so the cost is still recorded. */
  readonly usage: TokenUsage | undefined;

  constructor(options: {
    kind: ProviderErrorKind;
    message: string;
    provider: string;
    retryable?: boolean;
    retryAfterMs?: number;
    status?: number;
    usage?: TokenUsage;
    cause?: unknown;
  }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProviderError";
    this.kind = options.kind;
    this.retryable = options.retryable ?? retryableKinds.has(options.kind);
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.status = options.status;
    this.usage = options.usage;
  }

  /** The same error carrying other usage (a retried or broken call's tokens, once known). */
  withUsage(usage: TokenUsage): ProviderError {
    return new ProviderError({
      kind: this.kind,
      provider: this.provider,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.status === undefined ? {} : { status: this.status }),
      usage,
    });
  }

  static isInstance(value: unknown): value is ProviderError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[providerErrorMarker] === true;
  }
}
