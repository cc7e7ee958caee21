/**
 * Single flight across machines on PostgreSQL: two stores with their own pools and listener
 * connections stand for two machines. One claim wins among sixteen at once over both; a waiter on
 * one machine is woken by the other's release (LISTEN/NOTIFY) and served its answer. What every
 * store does (failures, expiry, take-over, timeouts) is in ../contract/in-flight.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { openPostgresOrchStore, type PostgresOrchStore } from "../../../src/store/postgres/index.js";
import { at, callRecord, recordCall, startRun } from "../contract/support/fixtures.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";

describe("single flight across machines (PostgreSQL)", { skip: postgresSkip() }, () => {
  let database: TestDatabase;
  let here: PostgresOrchStore;
  let there: PostgresOrchStore;
  before(async () => {
    database = await createTestDatabase("orch_in_flight");
    here = await openPostgresOrchStore(database.url, { maxConnections: 4 });
    there = await openPostgresOrchStore(database.url, { maxConnections: 4 });
  });
  after(async () => {
    await here?.close();
    await there?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await here.pool.query(`TRUNCATE in_flight_calls, cached_answer_uses, cached_answers, llm_call_texts, llm_calls, step_executions, runs RESTART IDENTITY CASCADE`);
  });
  const claim = (holder: string, claimedAt = at(0), expiresAt = at(5)) => ({ cacheKey: "key-a", holder, claimedAt, expiresAt });

  it("gives the key to exactly one of many processes claiming at once", async () => {
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? here : there).inFlight.claimInFlight(claim(`holder-${index}`))));
    const winners = outcomes.flatMap((outcome, index) => (outcome.kind === "claimed" ? [`holder-${index}`] : []));
    assert.equal(winners.length, 1);
    for (const outcome of outcomes) if (outcome.kind === "held") assert.deepEqual(outcome, { kind: "held", holder: winners[0], expiresAt: at(5) });
    assert.deepEqual(await here.inFlight.claimInFlight(claim(winners[0]!)), { kind: "claimed" }, "the holder may claim again");
  });

  it("wakes a waiter on another machine with the holder's answer as soon as it is released", async () => {
    assert.deepEqual(await here.inFlight.claimInFlight(claim("here:1")), { kind: "claimed" });
    assert.deepEqual(await there.inFlight.claimInFlight(claim("there:1")), { kind: "held", holder: "here:1", expiresAt: at(5) });
    const started = Date.now();
    const looked = firstReadOfClaims(there);
    const waiting = there.inFlight.awaitInFlight("key-a", "here:1", 20_000, () => new Date(at(1)));
    // Released only once the waiter has seen the claim in flight: only the notification can wake it now.
    await looked;
    const step = (await startRun(here, "run-1")).get("draft")!;
    const { entryId } = await recordCall(here, callRecord("run-1", step, { finishedAt: at(2) }), { answer: "paid once" });
    assert.equal(await here.inFlight.releaseInFlight("key-a", "here:1", entryId, at(2)), true);
    const woken = await waiting;
    assert.ok(Date.now() - started < 10_000, "woken by the release, not by the 20 s timeout");
    assert.deepEqual(woken, {
      kind: "answered",
      answer: { id: 1, cacheKey: "key-a", runId: "run-1", step: "draft", itemIndex: null, provider: "openai", model: "mini", answer: "paid once", inputTokens: 100, outputTokens: 20, costUsd: 0.25, state: "pending", createdAt: at(2) },
    });
    assert.equal(await here.inFlight.releaseInFlight("key-a", "here:1", entryId, at(3)), false, "a claim is released once");
    assert.deepEqual(await there.inFlight.claimInFlight(claim("there:2", at(3))), { kind: "claimed" }, "a released key can be claimed");
  });
});

/** Resolves once `store` has read a row of in_flight_calls (a waiter looked at the claim). */
function firstReadOfClaims(store: PostgresOrchStore): Promise<void> {
  const query = store.pool.query;
  return new Promise((resolve) => {
    store.pool.query = function (this: unknown, ...args: unknown[]) {
      const result = (query as (...given: unknown[]) => Promise<unknown>).apply(this, args);
      const sql = args[0] as string | { text: string };
      if (/^SELECT .* FROM in_flight_calls WHERE/s.test(typeof sql === "string" ? sql : sql.text)) {
        store.pool.query = query;
        void result.then(() => resolve());
      }
      return result;
    } as typeof query;
  });
}
