/**
 * Round trips are what a call of `orch run` costs on a shared server, so the run path's store
 * operations are held to the statements they send (counted at the driver, as the ledger benchmark
 * counts them), each a named (prepared) statement. The rows they write are the contract suite's
 * business (../contract/*.test.ts); the ledger's own statements are not counted here.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { openPostgresOrchStore, type PostgresOrchStore } from "../../../src/store/postgres/index.js";
import { namedStatement } from "../../../src/store/postgres/sql.js";
import { at, callRecord, fullText, recordCall, startRun } from "../contract/support/fixtures.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";

describe("named statements", () => {
  it("keeps one text per name, as each connection's prepared statements require", () => {
    const first = namedStatement("test_one_text", "SELECT 1");
    assert.deepEqual(namedStatement("test_one_text", "SELECT 1"), first, "declaring the same statement again is harmless");
    assert.throws(() => namedStatement("test_one_text", "SELECT 2"), /two PostgreSQL statements are named test_one_text/);
  });
});

describe("statements per operation on the run path (PostgreSQL)", { skip: postgresSkip() }, () => {
  let database: TestDatabase;
  let store: PostgresOrchStore;
  before(async () => {
    database = await createTestDatabase("orch_statements");
    store = await openPostgresOrchStore(database.url, { maxConnections: 2 });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  /** What `operation` sent: `name` for a named statement, the first words of the text otherwise. */
  async function sent(operation: () => Promise<unknown>): Promise<string[]> {
    const query = pg.Client.prototype.query;
    const statements: string[] = [];
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const given = args[0] as string | { name?: string; text: string };
      statements.push(typeof given === "string" ? given.split(/\s/)[0]! : (given.name ?? `unnamed ${given.text.trim().split(/\s/)[0]}`));
      return (query as (...values: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      await operation();
    } finally {
      pg.Client.prototype.query = query;
    }
    return statements;
  }

  it("records a paid call, its texts and its answer with the step marked running: one statement inside the transaction", async () => {
    const step = (await startRun(store, "run-1")).get("draft")!;
    assert.deepEqual(await sent(() => recordCall(store, callRecord("run-1", step), { answer: "kept" })), [
      "BEGIN",
      "orch_mark_step_running",
      "orch_insert_call_answer",
      "COMMIT",
    ]);
    assert.deepEqual(await sent(() => recordCall(store, callRecord("run-1", step, { attempt: 2, status: "failed" }))), [
      "BEGIN",
      "orch_mark_step_running",
      "orch_insert_call",
      "COMMIT",
    ]);
  });

  it("finishes a step, claims a free key, renews it, releases it and records a verdict in one statement each, without BEGIN/COMMIT", async () => {
    const step = (await startRun(store, "run-2")).get("draft")!;
    const { callId, entryId } = await recordCall(store, callRecord("run-2", step, { cacheKey: "key-b" }), { answer: "kept" });
    const claim = { cacheKey: "key-b", holder: "here:1", claimedAt: at(0), expiresAt: at(5) };
    assert.deepEqual(await sent(() => store.inFlight.claimInFlight(claim)), ["orch_claim_in_flight"]);
    assert.deepEqual(await sent(() => store.inFlight.renewInFlight("key-b", "here:1", at(6))), ["orch_renew_in_flight"], "a heartbeat is one statement");
    assert.deepEqual(await sent(() => store.inFlight.releaseInFlight("key-b", "here:1", entryId, at(1))), ["orch_release_in_flight"]);
    assert.deepEqual(await sent(() => store.executions.recordVerdict(callId, "accepted", at(2), undefined)), ["orch_record_verdict"]);
    const finish = { status: "succeeded" as const, finishedAt: at(3), attempts: 1, inputTokens: 100, outputTokens: 20, costUsd: 0.25 };
    assert.deepEqual(await sent(() => store.runs.finishStep(step, finish, [entryId!])), ["orch_finish_step"]);
  });

  it("looks answers up and reads other runs' verdicts by named statements", async () => {
    assert.deepEqual(
      await sent(async () => {
        await store.cache.findInRun("key-c", "run-3", "draft", undefined, []);
        await store.cache.findReusable("key-c", at(0), []);
        await store.history.settledCallsSince(at(0), "run-3");
      }),
      ["orch_find_answer_in_run", "orch_find_reusable_answer", "orch_settled_calls_since"],
    );
  });

  it("records an answer served from the cache with the step marked running: one statement inside the transaction", async () => {
    const first = (await startRun(store, "run-4")).get("draft")!;
    const { entryId } = await recordCall(store, callRecord("run-4", first, { cacheKey: "key-d" }), { answer: "kept" });
    const second = (await startRun(store, "run-5")).get("draft")!;
    const reuse = () =>
      store.runs.recordReusedAnswer({
        stepExecutionId: second,
        entryId: entryId!,
        use: { runId: "run-5", step: "draft" },
        call: callRecord("run-5", second, { status: "cached", costUsd: 0, cacheKey: "key-d" }),
        text: fullText("kept"),
      });
    assert.deepEqual(await sent(reuse), ["BEGIN", "orch_mark_step_running", "orch_insert_reuse", "COMMIT"]);
  });
});
