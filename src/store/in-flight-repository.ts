/**
 * Single flight across the processes sharing one SQLite file (contract: contracts/in-flight-store.ts),
 * synchronous like the other repositories; waiting for a claim to end is `sqlite-in-flight-store.ts`'s.
 * A claim is one row per cache key (migration 0015_in_flight_calls, PostgreSQL's 0005 column for
 * column), taken by an upsert that only overwrites a row no longer in flight (released, or expired
 * at the claimer's instant) or the claimer's own. The upsert and the read of who holds the key run
 * in one IMMEDIATE transaction: SQLite lets one writer in at a time, so of any number of processes
 * claiming at once exactly one gets the key, and every other one reads the claim that kept it.
 */
import type { CachedAnswerRow } from "../contracts/answer-cache-store.js";
import type { ClaimOutcome, InFlightClaim, InFlightWait } from "../contracts/in-flight-store.js";
import type { SqliteDatabase } from "./database.js";

/** The claim's row with the entry it names (every entry column null when it names none, or a deleted one). */
interface ClaimWithEntry extends Omit<CachedAnswerRow, "id"> {
  claimHolder: string;
  claimState: "in-flight" | "answered" | "failed";
  claimExpiresAt: string;
  id: number | null;
}

export class InFlightRepository {
  constructor(private readonly database: SqliteDatabase) {}

  /** Claims the key unless another holder's claim is in flight and unexpired at `claimedAt`. */
  claim(claim: InFlightClaim): ClaimOutcome {
    return this.database
      .transaction((): ClaimOutcome => {
        const taken = this.database
          .prepare(
            `INSERT INTO in_flight_calls (cache_key, holder, state, claimed_at, expires_at) VALUES (?, ?, 'in-flight', ?, ?)
             ON CONFLICT (cache_key) DO UPDATE SET holder = excluded.holder, state = 'in-flight', claimed_at = excluded.claimed_at,
               expires_at = excluded.expires_at, entry_id = NULL, released_at = NULL
             WHERE in_flight_calls.state <> 'in-flight' OR in_flight_calls.expires_at <= excluded.claimed_at OR in_flight_calls.holder = excluded.holder`,
          )
          .run(claim.cacheKey, claim.holder, claim.claimedAt, claim.expiresAt);
        if (taken.changes === 1) return { kind: "claimed" };
        const held = this.database
          .prepare(`SELECT holder, expires_at AS expiresAt FROM in_flight_calls WHERE cache_key = ?`)
          .get(claim.cacheKey) as { holder: string; expiresAt: string };
        return { kind: "held", holder: held.holder, expiresAt: held.expiresAt };
      })
      .immediate();
  }

  /** Ends the holder's claim with the entry its answer was kept in (none: its call failed); false when it held no claim. */
  release(cacheKey: string, holder: string, entryId: number | undefined, at: string): boolean {
    return (
      this.database
        .prepare(`UPDATE in_flight_calls SET state = ?, entry_id = ?, released_at = ? WHERE cache_key = ? AND holder = ? AND state = 'in-flight'`)
        .run(entryId === undefined ? "failed" : "answered", entryId ?? null, at, cacheKey, holder).changes === 1
    );
  }

  /** Pushes the holder's claim's expiry on (a heartbeat); false when the claim is no longer its own in flight. */
  renew(cacheKey: string, holder: string, expiresAt: string): boolean {
    return (
      this.database
        .prepare(`UPDATE in_flight_calls SET expires_at = ? WHERE cache_key = ? AND holder = ? AND state = 'in-flight'`)
        .run(expiresAt, cacheKey, holder).changes === 1
    );
  }

  /**
   * Where `holder`'s claim on the key stands at `at`, in one read (the row and its entry from one
   * snapshot): `answered` with its entry, `free` (failed, expired, taken over, or its entry since
   * deleted), or `waiting` while it is in flight and unexpired.
   */
  standing(cacheKey: string, holder: string, at: string): InFlightWait {
    const row = this.database
      .prepare(
        `SELECT f.holder AS claimHolder, f.state AS claimState, f.expires_at AS claimExpiresAt,
                a.id, a.cache_key AS cacheKey, a.run_id AS runId, a.step, a.item_index AS itemIndex, a.provider, a.model, a.answer,
                a.input_tokens AS inputTokens, a.output_tokens AS outputTokens, a.cost_usd AS costUsd, a.state, a.created_at AS createdAt
         FROM in_flight_calls f LEFT JOIN cached_answers a ON a.id = f.entry_id
         WHERE f.cache_key = ?`,
      )
      .get(cacheKey) as ClaimWithEntry | undefined;
    if (row === undefined || row.claimHolder !== holder || row.claimState === "failed") return { kind: "free" };
    if (row.claimState === "answered") {
      const { claimHolder: _holder, claimState: _state, claimExpiresAt: _expiresAt, id, ...entry } = row;
      return id === null ? { kind: "free" } : { kind: "answered", answer: { id, ...entry } };
    }
    return row.claimExpiresAt <= at ? { kind: "free" } : { kind: "waiting" };
  }
}
