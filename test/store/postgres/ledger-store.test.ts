/**
 * What only the PostgreSQL ledger has to answer for: machines (a process id means nothing without
 * its host), racing closers of one reservation, and a server that is not there.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ReservationRequest } from "../../../src/contracts/ledger-store.js";
import { OrchError } from "../../../src/errors/orch-error.js";
import { openPostgresStore, type PostgresStore } from "../../../src/store/postgres/index.js";
import { leaseLockNamespace } from "../../../src/store/postgres/process-lease.js";
import { createTestDatabase, postgresSkip, postgresTestSetting, type TestDatabase } from "../../support/postgres.js";

const keys = { runId: "run-1", day: "2026-03-10", month: "2026-03" };

function request(amountNanoUsd: number, overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  return {
    ...keys,
    pipelineName: "notes",
    amountNanoUsd,
    limits: [{ scope: "day", limitNanoUsd: 10_000 }],
    processId: 100,
    hostName: "host-a",
    createdAt: "2026-03-10T12:00:00.000Z",
    expiresAt: "2026-03-10T12:30:00.000Z",
    ...overrides,
  };
}

describe("when PostgreSQL tests run", () => {
  it("skips with its reason locally, fails in CI when the server is missing, runs when given one", () => {
    assert.deepEqual(postgresTestSetting({ ORCH_TEST_POSTGRES_URL: "postgres://orch@127.0.0.1:5432/x" }), {
      kind: "run",
      url: "postgres://orch@127.0.0.1:5432/x",
    });
    const skipped = postgresTestSetting({});
    assert.equal(skipped.kind, "skip");
    assert.match((skipped as { reason: string }).reason, /ORCH_TEST_POSTGRES_URL is not set/);
    const required = postgresTestSetting({ ORCH_REQUIRE_POSTGRES: "1", ORCH_TEST_POSTGRES_URL: " " });
    assert.equal(required.kind, "fail");
    assert.match((required as { reason: string }).reason, /ORCH_REQUIRE_POSTGRES=1 but ORCH_TEST_POSTGRES_URL is not set/);
  });
});

describe("PostgreSQL ledger", { skip: postgresSkip() }, () => {
  let database: TestDatabase;
  let store: PostgresStore;
  before(async () => {
    database = await createTestDatabase("orch_ledger");
    store = await openPostgresStore({ url: database.url });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it("expires a vanished process's reservations on its own machine only: the same pid elsewhere is another process", async () => {
    const here = await store.ledger.reserve(request(100, { runId: "pid-a", hostName: "host-a" }));
    const there = await store.ledger.reserve(request(200, { runId: "pid-b", hostName: "host-b" }));
    assert.ok(here.ok && there.ok);
    assert.deepEqual(await store.ledger.processesWithOpenReservations("host-b"), [{ processId: 100, hostName: "host-b" }]);
    const expired = await store.ledger.expireReservations("2026-03-10T12:01:00.000Z", [{ processId: 100, hostName: "host-a" }]);
    assert.deepEqual(expired.map((row) => [row.id, row.hostName]), [[here.reservationId, "host-a"]]);
    assert.equal(await store.ledger.openReservationCount("pid-b"), 1);
    await store.ledger.release(here.reservationId, "2026-03-10T12:02:00.000Z");
    await store.ledger.release(there.reservationId, "2026-03-10T12:02:00.000Z");
  });

  it("closes a reservation once when its settle, its release and a reconcile race, and the totals count it once", async () => {
    const runId = "race";
    for (let round = 0; round < 20; round++) {
      const held = await store.ledger.reserve(request(1000, { runId, expiresAt: "2026-03-10T12:00:00.000Z" }));
      assert.ok(held.ok);
      const [settled, released, expired] = await Promise.all([
        store.ledger.settle(held.reservationId, 400, "2026-03-10T12:05:00.000Z"),
        store.ledger.release(held.reservationId, "2026-03-10T12:05:00.000Z"),
        store.ledger.expireReservations("2026-03-10T12:05:00.000Z", []),
      ]);
      // The expiry may go first (the settle or release then closes the expired row), or last (finding nothing open).
      assert.equal(Number(settled.settled) + Number(released), 1, `round ${round}: settle or release, not both`);
      assert.ok(expired.length <= 1);
    }
    const { rows } = await store.pool.query(
      `SELECT COUNT(*) FILTER (WHERE status = 'settled') AS settled, COUNT(*) FILTER (WHERE status = 'released') AS released FROM budget_reservations WHERE run_id = $1`,
      [runId],
    );
    const settledCount = Number(rows[0].settled);
    assert.equal(settledCount + Number(rows[0].released), 20);
    assert.deepEqual(await store.ledger.usageInScope("run", { ...keys, runId }), {
      settledNanoUsd: 400 * settledCount,
      reservedNanoUsd: 0,
      expiredNanoUsd: 0,
      expiredCount: 0,
    });
  });

  it("lets exactly one of many connections record an alert, and fixes one calendar for all of them", async () => {
    // Separate pools: separate sessions, as separate machines would have.
    const others = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore({ url: database.url, maxConnections: 1 })));
    try {
      const alert = { scope: "month" as const, period: "2026-03", fraction: 0.8, usedNanoUsd: 800, limitNanoUsd: 1000, createdAt: "2026-03-10T12:00:00.000Z" };
      const recorded = await Promise.all(others.map((other, index) => other.ledger.recordAlert({ ...alert, runId: `machine-${index}` })));
      assert.equal(recorded.filter(Boolean).length, 1);
      const zones = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC", "Europe/Berlin", "Australia/Sydney"];
      const answers = await Promise.all(others.map((other, index) => other.ledger.calendarZone(zones[index]!, "2026-03-10T12:00:00.000Z")));
      assert.equal(new Set(answers).size, 1, `every process reads the one zone, got ${answers.join(", ")}`);
      assert.ok(zones.includes(answers[0]!));
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });

  it("takes a new lease when its lease connection is lost; the old lease's reservations count as a gone process's, and still settle", async () => {
    const before = await store.ledger.reserve(request(100, { runId: "lease-lost" }));
    assert.ok(before.ok);
    const leaseOf = async (id: number) => Number((await store.pool.query(`SELECT lease_id FROM budget_reservations WHERE id = $1`, [id])).rows[0].lease_id);
    const oldLease = await leaseOf(before.reservationId);
    const terminated = await store.pool.query(
      // pg_locks spans the cluster: other test files' databases hold leases with the same ids.
      `SELECT pg_terminate_backend(pid) AS done FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 2
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [leaseLockNamespace, oldLease],
    );
    assert.deepEqual(terminated.rows, [{ done: true }], "the lease was held by one session");
    // The lease is free once the terminated session is gone: expiry then finds it (bounded wait on that signal).
    let expired: Awaited<ReturnType<typeof store.ledger.expireReservations>> = [];
    for (const deadline = Date.now() + 10_000; expired.length === 0 && Date.now() < deadline; ) {
      expired = await store.ledger.expireReservations("2026-03-10T12:00:00.000Z", []);
      if (expired.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(expired.map((row) => [row.id, row.processGone]), [[before.reservationId, true]]);
    assert.deepEqual(await store.ledger.settle(before.reservationId, 60, "2026-03-10T12:01:00.000Z"), { settled: true });

    const after = await store.ledger.reserve(request(100, { runId: "lease-lost" }));
    assert.ok(after.ok);
    assert.notEqual(await leaseOf(after.reservationId), oldLease, "a new lease");
    assert.deepEqual(await store.ledger.expireReservations("2026-03-10T12:00:00.000Z", []), [], "and it is held");
    await store.ledger.release(after.reservationId, "2026-03-10T12:01:00.000Z");
  });

  it("closes a reservation made by another process exactly as its own: every scope it counts in, and its overrun", async () => {
    // The reserving process remembers which totals rows a reservation counts in; any other process
    // reads them from the reservation's row. Both must move the same rows.
    const other = await openPostgresStore({ url: database.url, maxConnections: 1 });
    try {
      // A day and month of its own: other tests here spend on the shared file's days.
      const runKeys = { runId: "elsewhere", day: "2026-04-01", month: "2026-04" };
      const where = { ...runKeys, team: "platform", project: "app", tags: ["hot", "eu"] };
      const overrun = await store.ledger.reserve(request(1000, where));
      const released = await store.ledger.reserve(request(300, where));
      const expired = await store.ledger.reserve(request(200, { ...where, expiresAt: "2026-03-10T12:00:00.000Z" }));
      assert.ok(overrun.ok && released.ok && expired.ok);
      assert.equal((await other.ledger.expireReservations("2026-03-10T12:01:00.000Z", [])).length, 1);
      const call = { step: "draft", item: 2, attempt: 1, provider: "openai", model: "gpt-4o-mini" };
      assert.deepEqual(await other.ledger.settle(overrun.reservationId, 1250, "2026-03-10T12:02:00.000Z", call), {
        settled: true,
        overrun: {
          reservationId: overrun.reservationId,
          ...runKeys,
          pipelineName: "notes",
          ...call,
          synthetic: false,
          reservedNanoUsd: 1000,
          settledNanoUsd: 1250,
          overrunNanoUsd: 250,
          createdAt: "2026-03-10T12:02:00.000Z",
        },
      });
      assert.equal(await other.ledger.release(released.reservationId, "2026-03-10T12:02:00.000Z"), true);
      assert.deepEqual(await other.ledger.settle(expired.reservationId, 150, "2026-03-10T12:02:00.000Z"), { settled: true });
      assert.deepEqual(await store.ledger.settle(expired.reservationId, 150, "2026-03-10T12:03:00.000Z"), { settled: false }, "closed once");

      // 1250 + 150 settled, nothing open or expired: in each of the 13 rows the reservations count in.
      const closed = { settledNanoUsd: 1400, reservedNanoUsd: 0, expiredNanoUsd: 0, expiredCount: 0 };
      const subjects = [
        undefined,
        { kind: "pipeline" as const, name: "app/notes" },
        { kind: "tag" as const, name: "app/hot" },
        { kind: "tag" as const, name: "app/eu" },
      ];
      for (const subject of subjects) assert.deepEqual(await store.ledger.usageInScope("run", runKeys, subject), closed, `run ${subject?.name ?? ""}`);
      for (const scope of ["day", "month"] as const) {
        for (const subject of [...subjects, { kind: "team" as const, name: "platform" }, { kind: "project" as const, name: "app" }]) {
          assert.deepEqual(await store.ledger.usageInScope(scope, runKeys, subject), closed, `${scope} ${subject?.name ?? ""}`);
        }
      }
      const { rows } = await store.pool.query(
        `SELECT step, item_index, attempt, provider, model, overrun_nano_usd FROM budget_overruns WHERE reservation_id = $1`,
        [overrun.reservationId],
      );
      assert.deepEqual(rows, [{ step: "draft", item_index: 2, attempt: 1, provider: "openai", model: "gpt-4o-mini", overrun_nano_usd: 250 }]);
    } finally {
      await other.close();
    }
  });

  it("stores amounts up to the ledger's ceiling exactly (BIGINT nano-dollars, no float on the way)", async () => {
    const ceiling = 9_000_000 * 1_000_000_000 + 7; // $9M and 7 nano-dollars: past 2^52, still exact below 2^53
    const held = await store.ledger.reserve(request(ceiling, { runId: "big", limits: [] }));
    assert.ok(held.ok);
    assert.equal(await store.ledger.usedInScope("run", { ...keys, runId: "big" }), ceiling);
    await store.ledger.release(held.reservationId, "2026-03-10T12:00:00.000Z");
  });
});

describe("an unreachable PostgreSQL store", () => {
  it("is a usage error naming the server without its password", async () => {
    const error = await openPostgresStore({ url: "postgres://orch:hunter2@127.0.0.1:1/orch" }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(OrchError.isInstance(error), `an OrchError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /^cannot reach the PostgreSQL store at postgres:\/\/orch:\*\*\*@127\.0\.0\.1:1\/orch: /);
    assert.doesNotMatch(`${error.message} ${error.hint}`, /hunter2/);
  });
});
