/**
 * SQLite's single flight (`InFlightRepository`, synchronous) behind the asynchronous
 * `InFlightStore` contract. Claims and releases are the repository's own statements, wrapped in a
 * promise. SQLite cannot tell one process that another wrote (no LISTEN/NOTIFY), so a waiter
 * polls the claim's row: after 10 ms, then twice as long each time up to 200 ms. The processes
 * sharing a file are on one machine, and a poll is one indexed read that, under WAL, never blocks
 * a writer; so a waiter hears of a release within 200 ms (sooner when it comes early in the wait)
 * for about five reads a second, against calls that take seconds.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { InFlightStore, InFlightWait } from "../contracts/in-flight-store.js";
import type { InFlightRepository } from "./in-flight-repository.js";

/** The first pause between two reads of a claim, and the longest one it doubles up to. */
const pollBackoffMs = { first: 10, longest: 200 } as const;

export function sqliteInFlightStore(repository: InFlightRepository): InFlightStore {
  return {
    claimInFlight: async (claim) => repository.claim(claim),
    releaseInFlight: async (cacheKey, holder, entryId, at) => repository.release(cacheKey, holder, entryId, at),
    renewInFlight: async (cacheKey, holder, expiresAt) => repository.renew(cacheKey, holder, expiresAt),
    awaitInFlight: (cacheKey, holder, timeoutMs, now = () => new Date(), signal) => pollUntilEnded(repository, cacheKey, holder, timeoutMs, now, signal),
  };
}

async function pollUntilEnded(repository: InFlightRepository, cacheKey: string, holder: string, timeoutMs: number, now: () => Date, signal: AbortSignal | undefined): Promise<InFlightWait> {
  const deadline = Date.now() + timeoutMs;
  for (let pause: number = pollBackoffMs.first; ; pause = Math.min(pause * 2, pollBackoffMs.longest)) {
    const standing = repository.standing(cacheKey, holder, now().toISOString());
    const left = deadline - Date.now();
    if (standing.kind !== "waiting" || left <= 0 || signal?.aborted) return standing;
    try {
      await delay(Math.min(pause, left), undefined, signal ? { signal } : undefined);
    } catch {
      // Aborted mid-pause: the caller stops waiting at once; the claim is read no more.
      return { kind: "waiting" };
    }
  }
}
