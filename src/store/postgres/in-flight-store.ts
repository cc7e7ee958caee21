/**
 * Single flight across processes and machines on PostgreSQL (`InFlightStore`, see
 * contracts/in-flight-store.ts): a claim is one row per cache key, taken by an upsert that only
 * overwrites a row no longer in flight (released, or expired at the claimer's instant), so of any
 * number of processes claiming at once exactly one gets it. A release sends
 * `NOTIFY orch_in_flight, <cache key>` in its own transaction (delivered at commit), and waiters
 * listen on one connection per process, so a waiter hears of the answer at once instead of
 * polling; every wake-up re-reads the row, so a missed or foreign notification changes nothing.
 */
import pg from "pg";
import type { CachedAnswerRow } from "../../contracts/answer-cache-store.js";
import type { ClaimOutcome, InFlightClaim, InFlightStore, InFlightWait } from "../../contracts/in-flight-store.js";
import { inTransaction, type PostgresPool } from "./connection.js";
import { execute, firstRow, namedStatement } from "./sql.js";

const channel = "orch_in_flight";

const entryColumns = `id, cache_key AS "cacheKey", run_id AS "runId", step, item_index AS "itemIndex", provider, model, answer,
  input_tokens AS "inputTokens", output_tokens AS "outputTokens", cost_usd AS "costUsd", state, created_at AS "createdAt"`;

/** Takes the key unless another holder's claim is still in flight; answers a row when taken. */
const claimStatement = namedStatement(
  "claim_in_flight",
  `INSERT INTO in_flight_calls (cache_key, holder, state, claimed_at, expires_at) VALUES ($1, $2, 'in-flight', $3, $4)
   ON CONFLICT (cache_key) DO UPDATE SET holder = excluded.holder, state = 'in-flight', claimed_at = excluded.claimed_at,
     expires_at = excluded.expires_at, entry_id = NULL, released_at = NULL
   WHERE in_flight_calls.state <> 'in-flight' OR in_flight_calls.expires_at <= excluded.claimed_at OR in_flight_calls.holder = excluded.holder
   RETURNING holder`,
);

/** Ends the holder's claim and notifies waiters (at commit), in one statement; a row when it was still the holder's. */
const releaseStatement = namedStatement(
  "release_in_flight",
  `WITH released AS (
     UPDATE in_flight_calls SET state = $3, entry_id = $4, released_at = $5 WHERE cache_key = $1 AND holder = $2 AND state = 'in-flight'
     RETURNING cache_key
   )
   SELECT pg_notify('${channel}', cache_key) FROM released`,
);

/** A holder's heartbeat: pushes its claim's expiry on, while the claim is still its own in flight. */
const renewStatement = namedStatement(
  "renew_in_flight",
  `UPDATE in_flight_calls SET expires_at = $3 WHERE cache_key = $1 AND holder = $2 AND state = 'in-flight'`,
);

const claimRowStatement = namedStatement(
  "in_flight_claim",
  `SELECT holder, state, expires_at AS "expiresAt", entry_id AS "entryId" FROM in_flight_calls WHERE cache_key = $1`,
);

const answerStatement = namedStatement("in_flight_answer", `SELECT ${entryColumns} FROM cached_answers WHERE id = $1`);

interface ClaimRow {
  holder: string;
  state: "in-flight" | "answered" | "failed";
  expiresAt: string;
  entryId: number | null;
}

export class PostgresInFlightStore implements InFlightStore {
  private listener: Promise<pg.Client> | undefined;
  private readonly wakers = new Map<string, Set<() => void>>();

  constructor(
    private readonly pool: PostgresPool,
    private readonly url: string,
  ) {}

  async claimInFlight(claim: InFlightClaim): Promise<ClaimOutcome> {
    const values = [claim.cacheKey, claim.holder, claim.claimedAt, claim.expiresAt];
    // Mostly the key is free: the upsert alone is the whole claim (one statement, one transaction).
    if ((await execute(this.pool, claimStatement, values)).rowCount === 1) return { kind: "claimed" };
    // Held (and nothing changed): claim again in a transaction that also reads the claim that kept it.
    return inTransaction(this.pool, async (client) => {
      if ((await execute(client, claimStatement, values)).rowCount === 1) return { kind: "claimed" as const };
      // The upsert locked the row it did not take, so this read sees the claim that kept it, unchanged until commit.
      const held = (await firstRow<ClaimRow>(client, claimRowStatement, [claim.cacheKey]))!;
      return { kind: "held" as const, holder: held.holder, expiresAt: held.expiresAt };
    });
  }

  async releaseInFlight(cacheKey: string, holder: string, entryId: number | undefined, at: string): Promise<boolean> {
    const released = await execute(this.pool, releaseStatement, [cacheKey, holder, entryId === undefined ? "failed" : "answered", entryId ?? null, at]);
    return released.rowCount === 1;
  }

  async renewInFlight(cacheKey: string, holder: string, expiresAt: string): Promise<boolean> {
    return (await execute(this.pool, renewStatement, [cacheKey, holder, expiresAt])).rowCount === 1;
  }

  async awaitInFlight(cacheKey: string, holder: string, timeoutMs: number, now: () => Date = () => new Date(), signal?: AbortSignal): Promise<InFlightWait> {
    await this.listening();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Listen before reading: a release committed between the read and the wait still wakes it.
      const woken = this.nextWake(cacheKey);
      // An abort wakes the wait like a notification would, and ends it below.
      signal?.addEventListener("abort", woken.wake, { once: true });
      try {
        const row = await firstRow<ClaimRow>(this.pool, claimRowStatement, [cacheKey]);
        const ended = await this.endOf(row, holder, now());
        if (ended) return ended;
        const untilExpiry = Date.parse(row!.expiresAt) - now().getTime();
        const wait = Math.min(deadline - Date.now(), untilExpiry);
        if (deadline - Date.now() <= 0 || signal?.aborted) return { kind: "waiting" };
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken.promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(1, wait))))]);
        clearTimeout(timer);
        if (signal?.aborted) return { kind: "waiting" };
      } finally {
        signal?.removeEventListener("abort", woken.wake);
        woken.cancel();
      }
    }
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await (await listener.catch(() => undefined))?.end();
  }

  /** What became of `holder`'s claim, or undefined while it is still in flight. */
  private async endOf(row: ClaimRow | undefined, holder: string, at: Date): Promise<InFlightWait | undefined> {
    if (row === undefined || row.holder !== holder || row.state === "failed") return { kind: "free" };
    if (row.state === "answered") {
      if (row.entryId === null) return { kind: "free" };
      const answer = await firstRow<CachedAnswerRow>(this.pool, answerStatement, [row.entryId]);
      return answer ? { kind: "answered", answer } : { kind: "free" };
    }
    return row.expiresAt <= at.toISOString() ? { kind: "free" } : undefined;
  }

  private listening(): Promise<pg.Client> {
    this.listener ??= (async () => {
      const client = new pg.Client({ connectionString: this.url });
      // A lost listener must not end the process: the next wait listens again, and waits re-read rows anyway.
      const forget = () => {
        this.listener = undefined;
        for (const wakers of this.wakers.values()) for (const wake of wakers) wake();
      };
      client.on("error", forget);
      client.on("end", forget);
      client.on("notification", (message) => {
        for (const wake of this.wakers.get(message.payload ?? "") ?? []) wake();
      });
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      return client;
    })().catch((error: unknown) => {
      this.listener = undefined;
      throw error;
    });
    return this.listener;
  }

  private nextWake(cacheKey: string): { promise: Promise<void>; wake(): void; cancel(): void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    const wakers = this.wakers.get(cacheKey) ?? new Set();
    wakers.add(wake);
    this.wakers.set(cacheKey, wakers);
    return {
      promise,
      wake,
      cancel: () => {
        wakers.delete(wake);
        if (wakers.size === 0) this.wakers.delete(cacheKey);
      },
    };
  }
}
