/**
 * Single flight across processes, as a store contract: a call in flight in one process (on any
 * machine sharing the store) is not paid for again by another process asking the same request.
 * The in-process single flight (executor/cache.ts) stays as it is; this extends it past the
 * process. Types only.
 *
 * How a caller uses it, per candidate, after the cache had no answer:
 *   claimInFlight → "claimed": call the provider, record the call (RunStore.recordPaidCall), then
 *                   releaseInFlight with the answer's entry (or none when the call failed);
 *                   meanwhile renewInFlight pushes the claim's expiry on while the holder lives;
 *                 → "held": another process is calling; awaitInFlight(key, holder, …) and serve
 *                   its answer as a hit (RunStore.recordReusedAnswer), or claim again when it
 *                   answers "free" (its call failed, or its process died and the claim expired).
 * A claim is a lease: it expires at `expiresAt` (the executor: claim time + a short lease, about
 * 30 s) unless its holder renews it first, so a holder that lives keeps its key however long its
 * call takes, and one that died (or froze) holds others up about one lease at most.
 */
import type { CachedAnswerRow } from "./answer-cache-store.js";

export interface InFlightClaim {
  /** The content address of the request (executor/cache.ts `cacheKeyOf`). */
  cacheKey: string;
  /** Who calls: unique per process and call (e.g. `host:pid:run:step#item:attempt`); only it may release the claim. */
  holder: string;
  claimedAt: string;
  /** After this instant the claim is abandoned: anyone may take it over. */
  expiresAt: string;
}

export type ClaimOutcome =
  | { kind: "claimed" }
  /** Another holder is calling: wait for it instead of paying again. */
  | { kind: "held"; holder: string; expiresAt: string };

export type InFlightWait =
  /** The holder's call answered: its entry (state `pending` until some step's checks accept it), to be served as a hit. */
  | { kind: "answered"; answer: CachedAnswerRow }
  /** No answer will come from that holder (its call failed, or its claim expired or was taken over): claim again. */
  | { kind: "free" }
  /** Still in flight when the wait ended (its timeout passed, or its signal aborted). */
  | { kind: "waiting" };

export interface InFlightStore {
  /** Claims the key unless another holder's claim is in flight and unexpired at `claimedAt`; atomic across processes and machines. */
  claimInFlight(claim: InFlightClaim): Promise<ClaimOutcome>;
  /** Ends the holder's claim, with the entry its answer was kept in, or none when its call failed. False when it held no claim (expired and taken over). */
  releaseInFlight(cacheKey: string, holder: string, entryId: number | undefined, at: string): Promise<boolean>;
  /**
   * Moves the holder's claim's expiry to `expiresAt` (a heartbeat). False when the claim is no
   * longer this holder's in flight: released, or taken over after it expired; the holder then stops
   * renewing (its release, guarded by holder, will not touch the new holder's claim). A claim that
   * expired but that nobody took over yet is still the holder's, and is renewed.
   */
  renewInFlight(cacheKey: string, holder: string, expiresAt: string): Promise<boolean>;
  /**
   * Waits until `holder`'s claim on the key ends or expires, `timeoutMs` passes or `signal` aborts
   * (Ctrl-C, a step's deadline: then `waiting`, at once). PostgreSQL is told at once
   * (LISTEN/NOTIFY); an embedded store may poll. `now` reads the clock that claims' instants come from.
   */
  awaitInFlight(cacheKey: string, holder: string, timeoutMs: number, now?: () => Date, signal?: AbortSignal): Promise<InFlightWait>;
}
