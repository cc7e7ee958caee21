/**
 * Single flight across processes (contracts/in-flight-store.ts) for one attempt, once this run's
 * answers, the cache and the in-process single flight (cache.ts) had nothing: the call is claimed
 * in the store before anything is reserved. A claim held by another process, on this machine or
 * any other sharing the store, is waited for (reserving nothing) and its answer served as a hit,
 * or claimed again when the holder ends without one (its call failed, its claim expired, or its
 * process, on this machine, is gone).
 * A claim is a lease (`claimLeaseMs`, 30 s): the holder renews it every third of a lease for as long
 * as its claim lasts, whatever holds its call up (a provider's slots, retries, a batch), so a waiter
 * takes over only from a holder that stopped renewing (dead, or its event loop stuck a whole lease)
 * or released. A holder whose claim was taken over all the same (renewal answered false) stops
 * renewing and finishes its call, whose money is reserved; its release, guarded by holder, leaves
 * the new holder's claim alone.
 * `--no-cache` and `cache: false` skip it, as they skip the in-process single flight.
 */
import os from "node:os";
import { UsageError } from "../errors/orch-error.js";
import { isProcessAlive } from "../budget/reconcile.js";
import type { Candidate } from "../policy/decision.js";
import { defaultBackoffPolicy } from "../providers/resilience/backoff.js";
import { defaultMaxRetries, defaultTimeoutSeconds, type ResilienceSettings } from "../providers/resilience/resilient-provider.js";
import { reusedFrom, type ReusedAnswer, type UnitRef } from "./cache.js";
import type { RunContext } from "./run-context.js";
import type { UnitRun } from "./work-unit.js";

export type Flight =
  /** This attempt calls; `land` ends its claim, with the entry its answer was kept in or none (once; later calls do nothing). */
  | { kind: "calling"; land(entryId: number | undefined): Promise<void> }
  /** Another process's identical call answered: serve it as a hit (the unit's own checks still run). */
  | { kind: "answered"; answer: ReusedAnswer }
  /** Ctrl-C or the step's deadline came while waiting: nothing was claimed, nothing is owed. */
  | { kind: "interrupted" };

/** How long a claim lasts unless its holder renews it: what a holder that died costs its waiters at most. */
export const defaultClaimLeaseMs = 30_000;
/** Renewals per lease: two may be lost or late (a busy event loop, a slow store) before the claim lapses. */
const renewalsPerLease = 3;
/** Tests shorten the lease (and with it the heartbeat) through this variable, in milliseconds. */
export const claimLeaseVariable = "ORCH_IN_FLIGHT_LEASE_MS";

/** The lease in force: `ORCH_IN_FLIGHT_LEASE_MS` when set (tests), else 30 s. */
export function claimLeaseMs(env: Readonly<Record<string, string | undefined>>): number {
  const setting = env[claimLeaseVariable];
  if (setting === undefined || setting === "") return defaultClaimLeaseMs;
  const leaseMs = Number(setting);
  if (!Number.isInteger(leaseMs) || leaseMs < 30) {
    throw new UsageError({
      message: `${claimLeaseVariable}=${setting} is not a lease single flight can keep`,
      hint: `set it to a whole number of milliseconds, at least 30 (default ${defaultClaimLeaseMs}), or unset it`,
    });
  }
  return leaseMs;
}

/** This process, as holders name it; other processes' holders say who they are in the wait event. */
const thisHost = os.hostname();
const thisProcess = `${thisHost}:${process.pid}`;
let claimsMade = 0;

const notClaimed: Flight = { kind: "calling", land: async () => undefined };

/** `batchDeadlineMs`: set when the call goes to the vendor's batch API, which may take that long. */
export async function claimOrAwait(context: RunContext, run: UnitRun, candidate: Candidate, call: { cacheKey: string; unit: UnitRef; batchDeadlineMs?: number }): Promise<Flight> {
  const { cacheKey, unit } = call;
  if (!context.answers.shareable(run.step.cache)) return notClaimed;
  const { inFlight } = context.store;
  // Unique per process and call: only this attempt may release what it claims.
  const holder = `${thisProcess}:${context.runId}:${unit.step}#${unit.item ?? ""}:${++claimsMade}`;
  const leaseMs = claimLeaseMs(context.environment);
  let announced: string | undefined;
  for (;;) {
    const claimedAt = context.now();
    const claim = await inFlight.claimInFlight({ cacheKey, holder, claimedAt: claimedAt.toISOString(), expiresAt: new Date(claimedAt.getTime() + leaseMs).toISOString() });
    if (claim.kind === "claimed") return { kind: "calling", land: releaseOnce(context, cacheKey, holder, keepRenewing(context, cacheKey, holder, leaseMs)) };
    // A holder of this machine whose process is gone (killed mid-call; a resumed run is the usual
    // next asker) will never release: it is released for it, and the key claimed again at once.
    if (vanishedHolder(claim.holder)) {
      await inFlight.releaseInFlight(cacheKey, claim.holder, undefined, context.now().toISOString());
      continue;
    }
    // Announced once per holder: a wait that outlives the claim's expiry (the holder renewed it)
    // comes back here, finds the same holder, and waits on silently.
    if (announced !== claim.holder) {
      announced = claim.holder;
      context.emit({
        type: "provider-wait",
        step: run.step.name,
        provider: candidate.provider,
        reason: "an identical call is in flight in another process",
        // The longest the holder's call itself can take, as this process's settings for it bound it.
        waitMs: callWorstCaseMs(context, run, candidate, call.batchDeadlineMs),
        holder: claim.holder,
        at: context.now().toISOString(),
      });
    }
    // Until the claim's expiry as it stands: then either it was renewed (`waiting`: claim again, and
    // be told the new expiry) or it lapsed (`free`: claim, and take it over).
    const untilExpiryMs = Math.max(0, Date.parse(claim.expiresAt) - context.now().getTime());
    const wait = await inFlight.awaitInFlight(cacheKey, claim.holder, untilExpiryMs, context.now, run.signal);
    if (run.signal.aborted) return { kind: "interrupted" };
    if (wait.kind === "answered" && !context.answers.wasUsed(unit, wait.answer.id)) return { kind: "answered", answer: reusedFrom(wait.answer, "in-flight") };
    // No answer for this unit (the call failed, the claim expired, or this unit already had and
    // rejected that answer): claim again; an ended claim is taken at once.
  }
}

/** Holders start `host:pid:`; only this machine's processes can be asked whether they still live. */
function vanishedHolder(holder: string): boolean {
  const [host, pid] = holder.split(":");
  const processId = Number(pid);
  return host === thisHost && Number.isInteger(processId) && processId !== process.pid && !isProcessAlive(processId);
}

/** Ends the claim once: stops its heartbeat, then releases it (attempt.ts lands it on every path: answer, failure, throw, interrupt). */
function releaseOnce(context: RunContext, cacheKey: string, holder: string, stopRenewing: () => void): (entryId: number | undefined) => Promise<void> {
  let released = false;
  return async (entryId) => {
    if (released) return;
    released = true;
    stopRenewing();
    await context.store.inFlight.releaseInFlight(cacheKey, holder, entryId, context.now().toISOString());
  };
}

/**
 * The holder's heartbeat: every third of a lease, the claim's expiry moves to now + lease. One
 * renewal at a time (a slow store skips a beat rather than pile them up); a failed one is tried
 * again at the next beat, as two may fail before the claim lapses. The timer never keeps the
 * process alive. Answers the function that stops it.
 */
function keepRenewing(context: RunContext, cacheKey: string, holder: string, leaseMs: number): () => void {
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing) return;
    renewing = true;
    const expiresAt = new Date(context.now().getTime() + leaseMs).toISOString();
    context.store.inFlight.renewInFlight(cacheKey, holder, expiresAt).then(
      (stillHeld) => {
        renewing = false;
        // Taken over (this process stalled a whole lease): the call goes on, its money is reserved;
        // the new holder's claim is its own, so this one stops renewing.
        if (!stillHeld) clearInterval(timer);
      },
      () => {
        renewing = false;
      },
    );
  }, Math.max(1, Math.floor(leaseMs / renewalsPerLease)));
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * How long the call can take at worst, as the provider's settings bound it: every attempt its
 * full timeout, every retry after the longest back-off the resilience layer honours; within the
 * step's own deadline when it has one; a batch call until its deadline, then its synchronous
 * fallback. Waits for `max_concurrency`, `rpm` and `tpm` slots are not counted. It no longer
 * bounds a claim (the holder's lease and heartbeat do, however long the call takes): it is what a
 * waiter is told it may wait, in its `provider-wait` event.
 */
export function callWorstCaseMs(context: RunContext, run: UnitRun, candidate: Candidate, batchDeadlineMs = 0): number {
  const settings: ResilienceSettings = Object.hasOwn(context.policy.providers, candidate.provider) ? context.policy.providers[candidate.provider]! : {};
  const retries = settings.max_retries ?? defaultMaxRetries;
  const backOffMs = Math.max(defaultBackoffPolicy.maxDelayMs, defaultBackoffPolicy.maxRetryAfterMs);
  const synchronousMs = (settings.timeout_seconds ?? defaultTimeoutSeconds) * 1000 * (retries + 1) + backOffMs * retries;
  const callMs = batchDeadlineMs + synchronousMs;
  return run.step.timeoutSeconds === undefined ? callMs : Math.min(callMs, run.step.timeoutSeconds * 1000);
}
