/**
 * Single flight across processes (contracts/in-flight-store.ts) for one attempt, once this run's
 * answers, the cache and the in-process single flight (cache.ts) had nothing: the call is claimed
 * in the store before anything is reserved. A claim held by another process, on this machine or
 * any other sharing the store, is waited for (reserving nothing) and its answer served as a hit,
 * or claimed again when the holder ends without one (its call failed, its claim expired, or its
 * process, on this machine, is gone).
 * `--no-cache` and `cache: false` skip it, as they skip the in-process single flight.
 */
import os from "node:os";
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
  const worstCaseMs = callWorstCaseMs(context, run, candidate, call.batchDeadlineMs);
  let announced: string | undefined;
  for (;;) {
    const claimedAt = context.now();
    const claim = await inFlight.claimInFlight({ cacheKey, holder, claimedAt: claimedAt.toISOString(), expiresAt: new Date(claimedAt.getTime() + worstCaseMs).toISOString() });
    if (claim.kind === "claimed") return { kind: "calling", land: releaseOnce(context, cacheKey, holder) };
    // A holder of this machine whose process is gone (killed mid-call; a resumed run is the usual
    // next asker) will never release: it is released for it, and the key claimed again at once.
    if (vanishedHolder(claim.holder)) {
      await inFlight.releaseInFlight(cacheKey, claim.holder, undefined, context.now().toISOString());
      continue;
    }
    const waitMs = Math.max(0, Date.parse(claim.expiresAt) - context.now().getTime());
    if (announced !== claim.holder) {
      announced = claim.holder;
      context.emit({
        type: "provider-wait",
        step: run.step.name,
        provider: candidate.provider,
        reason: "an identical call is in flight in another process",
        waitMs,
        holder: claim.holder,
        at: context.now().toISOString(),
      });
    }
    const wait = await inFlight.awaitInFlight(cacheKey, claim.holder, waitMs, context.now, run.signal);
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

function releaseOnce(context: RunContext, cacheKey: string, holder: string): (entryId: number | undefined) => Promise<void> {
  let released = false;
  return async (entryId) => {
    if (released) return;
    released = true;
    await context.store.inFlight.releaseInFlight(cacheKey, holder, entryId, context.now().toISOString());
  };
}

/**
 * How long the call can take at worst, as the provider's settings bound it: every attempt its
 * full timeout, every retry after the longest back-off the resilience layer honours; within the
 * step's own deadline when it has one; a batch call until its deadline, then its synchronous
 * fallback. Waits for `max_concurrency`, `rpm` and `tpm` slots are not bounded: a holder held up
 * by them past its claim lets a waiter take over and pay too (each reserves its own worst case).
 */
export function callWorstCaseMs(context: RunContext, run: UnitRun, candidate: Candidate, batchDeadlineMs = 0): number {
  const settings: ResilienceSettings = Object.hasOwn(context.policy.providers, candidate.provider) ? context.policy.providers[candidate.provider]! : {};
  const retries = settings.max_retries ?? defaultMaxRetries;
  const backOffMs = Math.max(defaultBackoffPolicy.maxDelayMs, defaultBackoffPolicy.maxRetryAfterMs);
  const synchronousMs = (settings.timeout_seconds ?? defaultTimeoutSeconds) * 1000 * (retries + 1) + backOffMs * retries;
  const callMs = batchDeadlineMs + synchronousMs;
  return run.step.timeoutSeconds === undefined ? callMs : Math.min(callMs, run.step.timeoutSeconds * 1000);
}
