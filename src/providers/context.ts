/**
 * What providers get from the outside world: the environment, directories, and hooks for progress,
 * call counting and time. Time is injectable so limiter and retry tests are fast and exact.
 */
import type { ProviderErrorKind } from "./provider-error.js";
import type { ProviderRequest } from "./provider.js";

/** Why a call is waiting before (or between) attempts. */
export type WaitReason =
  /** All `max_concurrency` slots are busy; waits until one frees. */
  | "concurrency"
  /** The requests-per-minute window is full. */
  | "rpm"
  /** The tokens-per-minute window is full. */
  | "tpm"
  /** Backing off before retrying a failed attempt. */
  | "retry";

export interface ProviderWaitEvent {
  providerId: string;
  origin: ProviderRequest["origin"];
  reason: WaitReason;
  /** How long the wait will be; undefined for `concurrency`, which lasts until a call finishes. */
  waitMs: number | undefined;
  /** The attempt about to be retried (1 = the first call), for `retry`. */
  attempt?: number;
  /** The failure being retried, for `retry`. */
  error?: { kind: ProviderErrorKind; message: string };
}

export interface PullProgressEvent {
  providerId: string;
  model: string;
  /** Ollama's own status line: `pulling manifest`, `pulling 6a0746a1ec1a`, `success`. */
  status: string;
  completedBytes?: number;
  totalBytes?: number;
}

export type Sleep = (milliseconds: number, signal?: AbortSignal) => Promise<void>;

export interface ProviderContext {
  /** The process environment (keys are read from here, then from `.env`). */
  env: NodeJS.ProcessEnv;
  /** Where `.env` is looked for. */
  workingDirectory: string;
  /** Where relative paths in the policy (a replay file) are resolved from. */
  policyDirectory: string;
  onWait?: (event: ProviderWaitEvent) => void;
  onPullProgress?: (event: PullProgressEvent) => void;
  /** Calls a provider made today, for `daily_call_cap` (the store counts; providers do no I/O for it). */
  callsToday?: (providerId: string) => number | Promise<number>;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** Waits, rejecting when the signal aborts; default a timer. */
  sleep?: Sleep;
}

/** A timer-based sleep that stops early (rejecting with the signal's reason) on abort. */
export const realSleep: Sleep = (milliseconds, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, milliseconds));
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export function clockOf(context: ProviderContext): { now: () => number; sleep: Sleep } {
  return { now: context.now ?? Date.now, sleep: context.sleep ?? realSleep };
}
