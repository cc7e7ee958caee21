/**
 * Single flight across processes, end to end: two `orch run` processes on one store ask the same
 * prompt at once, through the real OpenAI SDK against the fake server. The first one's request is
 * held at the server until the second one has said (in its `--json` events) that it waits for it,
 * so "the second one did not call" is read from the server's requests, never from a pause.
 * Leases (ORCH_IN_FLIGHT_LEASE_MS, shortened here): a holder that renews keeps its claim however
 * long it is held; one that stops renewing (SIGSTOP) is taken over after about one lease.
 * Expected figures by hand: 100 input tokens at $0.15/M and 20 output tokens at $0.60/M are
 * 15,000 + 12,000 = 27,000 nano-dollars, $0.000027.
 */
import assert from "node:assert/strict";
import os from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess, temporaryDirectory } from "../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../support/postgres.js";
import { writeProject } from "../support/project.js";
import { attemptEnds, chatRequests, endOf, holderAndWaiter, holderRenewsPastSeveralLeases, isChat, oneCallForTwoProcesses, pipeline, policy, postgresRows, sqliteRows, startRun, waits } from "./support/flight-processes.js";

describe("orch run: single flight across processes (SQLite)", () => {
  let server: FakeLlmServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startFakeLlmServer();
    env = { FAKE_URL: server.url, FLIGHT_TEST_KEY: "sk-flight-test-0000" };
  });
  after(async () => server.close());
  beforeEach(() => {
    server.reset();
    server.script("gpt-4o-mini", { defaultResponse: "Teal.", usage: { inputTokens: 100, outputTokens: 20 } });
  });
  const sharedDatabase = () => path.join(temporaryDirectory("orch-flight-db-"), "orch.db");

  it("sends the shared prompt once: the second process waits, and is served the answer as a hit", async () => {
    const db = sharedDatabase();
    await oneCallForTwoProcesses(server, env, db, sqliteRows(db));
  });

  it("calls itself when the holder's call fails: exactly two requests", { timeout: 60_000 }, async () => {
    server.script("gpt-4o-mini", { defaultResponse: "Teal.", usage: { inputTokens: 100, outputTokens: 20 }, faults: [{ type: "server_error", times: 1 }] });
    const db = sharedDatabase();
    const { held, first, second } = await holderAndWaiter(server, db, env);
    held.release();
    const [firstResult, secondResult] = await Promise.all([first.done, second.done]);

    assert.equal(firstResult.code, 1, "the holder's only candidate failed");
    assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
    assert.equal(chatRequests(server), 2);
    assert.equal(readFileSync(path.join(second.directory, "out/ask.md"), "utf8"), "Teal.\n");
    const [paid] = attemptEnds(secondResult);
    assert.ok(paid?.type === "attempt-end" && paid.cached === undefined && paid.status === "succeeded" && paid.costUsd === 0.000027);
    const calls = await sqliteRows(db).calls();
    assert.deepEqual(calls.map((call) => [call.run_id === endOf(secondResult).runId, call.status, call.cost_usd]), [
      [false, "failed", 0],
      [true, "succeeded", 0.000027],
    ]);
  });

  it("stops waiting on Ctrl-C: exit 130, no request, nothing reserved or recorded", { timeout: 60_000 }, async () => {
    const db = sharedDatabase();
    const { held, first, second } = await holderAndWaiter(server, db, env);
    second.interrupt();
    const secondResult = await second.done;
    assert.equal(secondResult.code, 130, secondResult.stdout + secondResult.stderr);
    assert.equal(chatRequests(server), 1, "the interrupted waiter did not call");
    const secondRunId = endOf(secondResult).runId;
    assert.deepEqual((await sqliteRows(db).calls()).filter((call) => call.run_id === secondRunId), []);
    assert.deepEqual((await sqliteRows(db).reservations()).filter((reservation) => reservation.run_id === secondRunId), []);
    held.release();
    assert.equal((await first.done).code, 0, "the holder goes on");
  });

  it("takes over at once from a holder whose process was killed mid-call, instead of waiting for its claim to expire", { timeout: 60_000 }, async () => {
    const db = sharedDatabase();
    const held = server.hold(isChat);
    const first = startRun(db, env);
    await held.reached;
    first.interrupt("SIGKILL");
    await first.done;
    const secondResult = await startRun(db, env).done;
    assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
    assert.deepEqual(waits(secondResult), [], "a dead process is not waited for");
    assert.equal(chatRequests(server), 2, "the killed call, then the second run's own");
    held.release();
  });

  it("keeps the claim of a holder held up for more than four leases while it renews: paid once", { timeout: 60_000 }, async () => {
    const db = sharedDatabase();
    await holderRenewsPastSeveralLeases(server, env, db, sqliteRows(db));
  });

  it("takes over after about one lease from a holder that stopped renewing though its process lives (as one on another machine); the old holder finishes its call and leaves the new claim alone", { timeout: 60_000 }, async (t) => {
    const leaseMs = 1_000;
    const leaseEnv = { ...env, ORCH_IN_FLIGHT_LEASE_MS: String(leaseMs) };
    const db = sharedDatabase();
    const rows = sqliteRows(db);
    const firstHeld = server.hold(isChat);
    const first = startRun(db, leaseEnv);
    await firstHeld.reached;
    const secondHeld = server.hold(isChat);
    const second = startRun(db, leaseEnv);
    // A failed assertion must not leave a stopped process (or one held at the server) behind to hang the suite.
    t.after(async () => {
      for (const run of [first, second]) run.interrupt("SIGKILL");
      await Promise.all([first.done, second.done]);
    });
    await second.sees((event) => event.type === "provider-wait");
    // Stopped, not killed: the pid check still finds it alive, as it would find nothing on another machine; only the lease can tell.
    first.interrupt("SIGSTOP");
    const stoppedAt = Date.now();
    let deadline: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_, reject) => (deadline = setTimeout(() => reject(new Error("not taken over within five leases")), 5 * leaseMs)));
    await Promise.race([secondHeld.reached, overdue]).finally(() => clearTimeout(deadline));
    const tookOverMs = Date.now() - stoppedAt;
    t.diagnostic(`taken over ${tookOverMs} ms after the holder stopped (lease ${leaseMs} ms)`);
    assert.ok(tookOverMs < 3 * leaseMs, `taken over ${tookOverMs} ms after the holder stopped: within about a lease (${leaseMs} ms), not the call's worst case (17 minutes)`);
    const [takenOver] = await rows.claims();
    assert.ok(takenOver?.holder.startsWith(`${os.hostname()}:${second.pid}:`) && takenOver.state === "in-flight", `the second process holds the key: ${JSON.stringify(takenOver)}`);

    // The old holder wakes, its call is answered: it records what it paid, and its release leaves the second's claim in flight.
    first.interrupt("SIGCONT");
    firstHeld.release();
    const firstResult = await first.done;
    assert.equal(firstResult.code, 0, firstResult.stdout + firstResult.stderr);
    const [stillHeld] = await rows.claims();
    assert.deepEqual([stillHeld?.holder, stillHeld?.state], [takenOver!.holder, "in-flight"], "the old holder did not end the new claim");
    secondHeld.release();
    const secondResult = await second.done;
    assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
    assert.equal(chatRequests(server), 2, "the stalled holder's call and the second's own");
    assert.equal(waits(secondResult).length, 1);
    assert.deepEqual((await rows.calls()).map((call) => [call.status, call.cost_usd]), [
      ["succeeded", 0.000027],
      ["succeeded", 0.000027],
    ]);
  });

  it("refuses a lease it cannot keep before running anything: exit 2 with the fix", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const db = sharedDatabase();
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db], { ...env, ORCH_IN_FLIGHT_LEASE_MS: "10s" });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /ORCH_IN_FLIGHT_LEASE_MS=10s is not a lease single flight can keep/);
    assert.match(result.stderr, /hint: set it to a whole number of milliseconds, at least 30 \(default 30000\), or unset it/);
    assert.equal(chatRequests(server), 0);
  });

  it("does not wait with --no-cache: the second process calls while the first is still held", async () => {
    const db = sharedDatabase();
    const held = server.hold(isChat);
    const first = startRun(db, env);
    await held.reached;
    const second = startRun(db, env, ["--no-cache"]);
    // Whichever comes first: a wait (the test fails at once rather than hang on the held call) or the run's end.
    const waited = second.sees((event) => event.type === "provider-wait").then(() => "waited", () => "ended without waiting");
    assert.equal(await Promise.race([waited, second.done.then(() => "ended without waiting")]), "ended without waiting");
    const secondResult = await second.done;
    assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
    assert.equal(chatRequests(server), 2, "its own request went out with the first one still unanswered");
    assert.deepEqual(waits(secondResult), []);
    held.release();
    assert.equal((await first.done).code, 0);
  });
});

describe("orch run: single flight across processes (PostgreSQL)", { skip: postgresSkip() }, () => {
  let server: FakeLlmServer;
  let database: TestDatabase;
  before(async () => {
    server = await startFakeLlmServer();
    server.script("gpt-4o-mini", { defaultResponse: "Teal.", usage: { inputTokens: 100, outputTokens: 20 } });
    database = await createTestDatabase("orch_flight");
  });
  after(async () => {
    await server?.close();
    await database?.drop();
  });

  it("sends the shared prompt once: the second process waits, and is served the answer as a hit", async () => {
    await oneCallForTwoProcesses(server, { FAKE_URL: server.url, FLIGHT_TEST_KEY: "sk-flight-test-0000" }, database.url, postgresRows(database.url));
  });

  it("keeps the claim of a holder held up for more than four leases while it renews: paid once", { timeout: 60_000 }, async () => {
    server.reset();
    server.script("gpt-4o-mini", { defaultResponse: "Teal.", usage: { inputTokens: 100, outputTokens: 20 } });
    const other = await createTestDatabase("orch_flight_lease");
    try {
      await holderRenewsPastSeveralLeases(server, { FAKE_URL: server.url, FLIGHT_TEST_KEY: "sk-flight-test-0000" }, other.url, postgresRows(other.url));
    } finally {
      await other.drop();
    }
  });
});
