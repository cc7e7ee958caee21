/**
 * The ledger store contract, asserted word for word against both implementations: SQLite (through
 * its async adapter) and PostgreSQL (skipped, and saying so, without ORCH_TEST_POSTGRES_URL). The
 * expected figures are worked out by hand from the amounts below, never read back from a store.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { LedgerStore, ReservationRequest, ScopeLimit } from "../../src/contracts/ledger-store.js";
import type { OrchStore } from "../../src/contracts/orch-store.js";
import { openPostgresStore, type PostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { temporaryDirectory } from "../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../support/postgres.js";

const keys = { runId: "run-1", day: "2026-03-10", month: "2026-03" };
const at = "2026-03-10T12:00:00.000Z";

function request(amountNanoUsd: number, overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  return {
    ...keys,
    pipelineName: "notes",
    amountNanoUsd,
    limits: [],
    processId: 100,
    hostName: "host-a",
    createdAt: at,
    expiresAt: "2026-03-10T12:30:00.000Z",
    ...overrides,
  };
}

const dayLimit = (limitNanoUsd: number): ScopeLimit => ({ scope: "day", limitNanoUsd });

interface Implementation {
  name: string;
  skip: string | false;
  setUp(): Promise<void>;
  /** A store with no rows. */
  fresh(): Promise<LedgerStore>;
  tearDown(): Promise<void>;
}

function sqliteImplementation(): Implementation {
  let store: OrchStore | undefined;
  return {
    name: "SQLite",
    skip: false,
    async setUp() {},
    async fresh() {
      await store?.close();
      store = openSqliteStore(path.join(temporaryDirectory("orch-contract-"), "orch.db"), { hostName: "host-a" });
      return store.ledger;
    },
    async tearDown() {
      await store?.close();
    },
  };
}

function postgresImplementation(): Implementation {
  let database: TestDatabase | undefined;
  let store: PostgresStore | undefined;
  return {
    name: "PostgreSQL",
    skip: postgresSkip(),
    async setUp() {
      database = await createTestDatabase("orch_contract");
      store = await openPostgresStore({ url: database.url });
    },
    async fresh() {
      await store!.pool.query(
        // CASCADE: the run log's calls name reservations.
        `TRUNCATE budget_reservations, budget_reservation_tags, budget_scope_totals, budget_overruns, budget_alerts, ledger_settings, team_budget_limits RESTART IDENTITY CASCADE`,
      );
      return store!.ledger;
    },
    async tearDown() {
      await store?.close();
      await database?.drop();
    },
  };
}

for (const implementation of [sqliteImplementation(), postgresImplementation()]) {
  describe(`ledger store contract: ${implementation.name}`, { skip: implementation.skip }, () => {
    let ledger: LedgerStore;
    before(() => implementation.setUp());
    after(() => implementation.tearDown());
    beforeEach(async () => {
      ledger = await implementation.fresh();
    });

    it("reserves while the worst case fits under every limit, and names the limit that refuses and what it held", async () => {
      const limits = [dayLimit(1000)];
      assert.equal((await ledger.reserve(request(600, { limits }))).ok, true);
      assert.deepEqual(await ledger.reserve(request(500, { limits })), { ok: false, limit: dayLimit(1000), usedNanoUsd: 600 });
      assert.equal((await ledger.reserve(request(400, { limits }))).ok, true, "exactly at the limit fits");
      assert.deepEqual(await ledger.usageInScope("day", keys), { settledNanoUsd: 0, reservedNanoUsd: 1000, expiredNanoUsd: 0, expiredCount: 0 });
      assert.equal(await ledger.openReservationCount(), 2);
      assert.equal(await ledger.openReservationCount("run-2"), 0);
    });

    it("frees the difference on settle and everything on release; a closed reservation stays closed", async () => {
      const limits = [dayLimit(1000)];
      const first = await ledger.reserve(request(600, { limits }));
      assert.ok(first.ok);
      assert.deepEqual(await ledger.settle(first.reservationId, 250, at), { settled: true });
      assert.deepEqual(await ledger.settle(first.reservationId, 100, at), { settled: false });
      assert.equal(await ledger.release(first.reservationId, at), false);
      const second = await ledger.reserve(request(750, { limits }));
      assert.ok(second.ok, "250 settled + 750 fits under 1000");
      assert.equal(await ledger.release(second.reservationId, at), true);
      assert.equal(await ledger.release(second.reservationId, at), false);
      assert.deepEqual(await ledger.usageInScope("day", keys), { settledNanoUsd: 250, reservedNanoUsd: 0, expiredNanoUsd: 0, expiredCount: 0 });
      assert.equal(await ledger.usedInScope("month", keys), 250);
      assert.equal(await ledger.usedInScope("run", keys), 250);
    });

    it("records a settlement above its reservation as is and as an overrun; a scope over its limit refuses any amount", async () => {
      const limits = [dayLimit(1000)];
      const held = await ledger.reserve(request(400, { limits, tags: ["hot"] }));
      assert.ok(held.ok);
      const call = { step: "draft", item: 2, attempt: 3, provider: "openai", model: "gpt-x" };
      const outcome = await ledger.settle(held.reservationId, 1300, "2026-03-10T12:01:00.000Z", call);
      const overrun = {
        reservationId: held.reservationId,
        runId: "run-1",
        pipelineName: "notes",
        day: "2026-03-10",
        month: "2026-03",
        ...call,
        synthetic: false,
        reservedNanoUsd: 400,
        settledNanoUsd: 1300,
        overrunNanoUsd: 900,
        createdAt: "2026-03-10T12:01:00.000Z",
      };
      assert.deepEqual(outcome, { settled: true, overrun });
      assert.equal(await ledger.usedInScope("day", keys), 1300);
      assert.equal(await ledger.usedInScope("day", keys, { kind: "tag", name: "hot" }), 1300);
      assert.deepEqual(await ledger.reserve(request(1, { limits })), { ok: false, limit: dayLimit(1000), usedNanoUsd: 1300 });
      assert.deepEqual(await ledger.overrunsInPeriods(keys), [overrun]);
      assert.deepEqual(await ledger.overrunsInPeriods({ runId: "other", day: "2026-03-11", month: "2026-04" }), []);
      assert.deepEqual(await ledger.overrunsBetween("2026-03-10T12:00:00.000Z", "2026-03-10T12:02:00.000Z"), [overrun]);
      assert.deepEqual(await ledger.overrunsBetween("2026-03-10T12:01:00.001Z", "2026-03-10T12:02:00.000Z"), []);
    });

    it("holds per-pipeline and per-tag limits across runs", async () => {
      const hot: ScopeLimit = { scope: "day", subject: { kind: "tag", name: "hot" }, limitNanoUsd: 500 };
      const notes: ScopeLimit = { scope: "day", subject: { kind: "pipeline", name: "notes" }, limitNanoUsd: 800 };
      assert.equal((await ledger.reserve(request(300, { tags: ["hot"], limits: [hot, notes] }))).ok, true);
      assert.deepEqual(await ledger.reserve(request(300, { runId: "run-2", tags: ["hot"], limits: [hot, notes] })), {
        ok: false,
        limit: hot,
        usedNanoUsd: 300,
      });
      assert.equal((await ledger.reserve(request(700, { runId: "run-2", pipelineName: "other", limits: [] }))).ok, true);
      assert.equal((await ledger.reserve(request(500, { runId: "run-2", limits: [notes] }))).ok, true, "300 + 500 of notes fit under 800");
      assert.deepEqual(await ledger.reserve(request(1, { runId: "run-3", limits: [notes] })), { ok: false, limit: notes, usedNanoUsd: 800 });
      assert.equal(await ledger.usedInScope("day", keys), 1500, "the day holds every pipeline");
      assert.deepEqual(await ledger.reservationScopes(1), { ...keys, pipelineName: "notes", tags: ["hot"] });
      assert.equal(await ledger.reservationScopes(99), undefined);
    });

    it("counts synthetic money in its run only, never in the real day or month", async () => {
      const run: ScopeLimit = { scope: "run", limitNanoUsd: 2000 };
      const limits = [run, dayLimit(500)];
      assert.equal((await ledger.reserve(request(600, { synthetic: true, limits }))).ok, true, "the day's limit does not see synthetic money");
      assert.equal((await ledger.reserve(request(500, { limits }))).ok, true);
      assert.deepEqual(await ledger.reserve(request(1, { limits })), { ok: false, limit: dayLimit(500), usedNanoUsd: 500 });
      assert.equal((await ledger.reserve(request(900, { synthetic: true, limits }))).ok, true, "600 + 500 + 900 = the run's 2000");
      assert.deepEqual(await ledger.reserve(request(1, { synthetic: true, limits })), { ok: false, limit: run, usedNanoUsd: 2000 });
      assert.equal(await ledger.usedInScope("day", keys), 500);
      assert.equal((await ledger.usageInScope("day", keys, undefined, "synthetic")).reservedNanoUsd, 1500);
      assert.equal((await ledger.usageInScope("run", keys)).reservedNanoUsd, 2000);
      assert.equal((await ledger.usageInScope("run", keys, undefined, "real")).reservedNanoUsd, 500);
    });

    it("expires overdue reservations and those of vanished processes: they keep counting, and their process may still settle", async () => {
      const overdue = await ledger.reserve(request(100, { processId: 100, expiresAt: "2026-03-10T12:30:00.000Z" }));
      const vanished = await ledger.reserve(request(200, { processId: 200, expiresAt: "2026-03-10T13:30:00.000Z" }));
      const alive = await ledger.reserve(request(400, { processId: 300, expiresAt: "2026-03-10T13:30:00.000Z" }));
      assert.ok(overdue.ok && vanished.ok && alive.ok);
      assert.deepEqual(await ledger.processesWithOpenReservations(), [100, 200, 300].map((processId) => ({ processId, hostName: "host-a" })));
      assert.deepEqual(await ledger.processesWithOpenReservations("host-b"), []);

      const expired = await ledger.expireReservations("2026-03-10T12:45:00.000Z", [{ processId: 200, hostName: "host-a" }]);
      assert.deepEqual(
        expired.map(({ id, runId, pipelineName, reservedNanoUsd, processId, hostName, createdAt, expiresAt }) => ({
          id, runId, pipelineName, reservedNanoUsd, processId, hostName, createdAt, expiresAt,
        })),
        [
          { id: overdue.reservationId, runId: "run-1", pipelineName: "notes", reservedNanoUsd: 100, processId: 100, hostName: "host-a", createdAt: at, expiresAt: "2026-03-10T12:30:00.000Z" },
          { id: vanished.reservationId, runId: "run-1", pipelineName: "notes", reservedNanoUsd: 200, processId: 200, hostName: "host-a", createdAt: at, expiresAt: "2026-03-10T13:30:00.000Z" },
        ],
      );
      assert.deepEqual(await ledger.expireReservations("2026-03-10T12:46:00.000Z", [{ processId: 200, hostName: "host-a" }]), [], "each row closes once");
      assert.deepEqual(await ledger.usageInScope("day", keys), { settledNanoUsd: 0, reservedNanoUsd: 400, expiredNanoUsd: 300, expiredCount: 2 });
      assert.equal(await ledger.openReservationCount(), 1);

      assert.deepEqual(await ledger.settle(overdue.reservationId, 40, at), { settled: true }, "a slow process settles its expired reservation");
      assert.equal(await ledger.release(vanished.reservationId, at), true);
      assert.deepEqual(await ledger.usageInScope("day", keys), { settledNanoUsd: 40, reservedNanoUsd: 400, expiredNanoUsd: 0, expiredCount: 0 });
    });

    it("records each alert once per scope, subject, period and fraction", async () => {
      const alert = { scope: "day" as const, period: "2026-03-10", fraction: 0.5, usedNanoUsd: 600, limitNanoUsd: 1000, runId: "run-1", createdAt: at };
      const tagged = { ...alert, subject: { kind: "tag" as const, name: "hot" }, createdAt: "2026-03-10T12:00:01.000Z" };
      const later = { ...alert, fraction: 0.8, usedNanoUsd: 850, createdAt: "2026-03-10T12:00:02.000Z" };
      assert.equal(await ledger.recordAlert(alert), true);
      assert.equal(await ledger.recordAlert({ ...alert, runId: "run-2", usedNanoUsd: 700 }), false, "another process finds it recorded");
      assert.equal(await ledger.recordAlert(tagged), true);
      assert.equal(await ledger.recordAlert(later), true);
      assert.equal(await ledger.recordAlert({ ...alert, period: "2026-03-11" }), true, "a new day alerts again");
      assert.deepEqual(await ledger.alertsInPeriods(keys), [alert, tagged, later]);
    });

    it("fixes the calendar zone with the first proposal", async () => {
      assert.equal(await ledger.calendarZone("Europe/Paris", at), "Europe/Paris");
      assert.equal(await ledger.calendarZone("America/New_York", at), "Europe/Paris");
    });

    it("counts a project's reservations under its team and project by day and month, and its pipeline and tags as project/name", async () => {
      const app = await ledger.reserve(request(300, { team: "platform", project: "app", tags: ["hot"] }));
      const web = await ledger.reserve(request(200, { runId: "run-2", team: "platform", project: "web" }));
      assert.ok(app.ok && web.ok);
      assert.equal((await ledger.reserve(request(100, { runId: "run-3" }))).ok, true, "a reservation without a project");
      const platform = { kind: "team" as const, name: "platform" };
      assert.equal(await ledger.usedInScope("day", keys), 600);
      assert.equal(await ledger.usedInScope("day", keys, platform), 500);
      assert.equal(await ledger.usedInScope("month", keys, platform), 500);
      assert.equal(await ledger.usedInScope("run", keys, platform), 0, "a run has no team scope");
      assert.equal(await ledger.usedInScope("month", keys, { kind: "project", name: "app" }), 300);
      assert.equal(await ledger.usedInScope("day", keys, { kind: "project", name: "web" }), 200);
      assert.equal(await ledger.usedInScope("day", keys, { kind: "pipeline", name: "app/notes" }), 300);
      assert.equal(await ledger.usedInScope("day", keys, { kind: "pipeline", name: "notes" }), 100, "projects' pipelines do not count under the bare name");
      assert.equal(await ledger.usedInScope("day", keys, { kind: "tag", name: "app/hot" }), 300);
      assert.equal(await ledger.usedInScope("day", keys, { kind: "tag", name: "hot" }), 0);
      assert.deepEqual(await ledger.reservationScopes(app.reservationId), { ...keys, pipelineName: "notes", tags: ["hot"], team: "platform", project: "app" });
      assert.deepEqual(await ledger.subjectsInPeriod("day", keys, "pipeline"), ["app/notes", "notes", "web/notes"]);
      assert.deepEqual(await ledger.subjectsInPeriod("month", keys, "pipeline", "app/"), ["app/notes"]);
      assert.deepEqual(await ledger.teams("2026-03"), ["platform"]);
      assert.deepEqual(await ledger.teams("2026-04"), []);
      assert.deepEqual(await ledger.teamProjects("platform", "2026-03"), ["app", "web"]);

      assert.deepEqual(await ledger.settle(app.reservationId, 250, at), { settled: true });
      assert.equal((await ledger.expireReservations("2026-03-10T12:45:00.000Z", [])).length, 2, "the web and bare reservations are overdue");
      assert.deepEqual(await ledger.usageInScope("day", keys, platform), { settledNanoUsd: 250, reservedNanoUsd: 0, expiredNanoUsd: 200, expiredCount: 1 });
      assert.deepEqual(await ledger.usageInScope("month", keys, { kind: "pipeline", name: "web/notes" }), {
        settledNanoUsd: 0,
        reservedNanoUsd: 0,
        expiredNanoUsd: 200,
        expiredCount: 1,
      });
      assert.equal(await ledger.release(web.reservationId, at), true);
      assert.equal(await ledger.usedInScope("day", keys, platform), 250);
    });

    it("refuses by the team's limit across its projects, and by one project's limit alone", async () => {
      const team: ScopeLimit = { scope: "day", subject: { kind: "team", name: "platform" }, limitNanoUsd: 1000 };
      const appCap: ScopeLimit = { scope: "day", subject: { kind: "project", name: "app" }, limitNanoUsd: 600 };
      const forApp = { team: "platform", project: "app", limits: [team, appCap] };
      const forWeb = { team: "platform", project: "web", limits: [team], runId: "run-2" };
      assert.equal((await ledger.reserve(request(600, forApp))).ok, true);
      assert.deepEqual(await ledger.reserve(request(1, forApp)), { ok: false, limit: appCap, usedNanoUsd: 600 });
      assert.equal((await ledger.reserve(request(400, forWeb))).ok, true, "600 + 400 = the team's 1000");
      assert.deepEqual(await ledger.reserve(request(1, forWeb)), { ok: false, limit: team, usedNanoUsd: 1000 });
      assert.equal((await ledger.reserve(request(1, { runId: "run-3", team: "data", project: "etl", limits: [team] }))).ok, false, "a limit on the team is checked even for a reservation of another team");
    });

    it("checks a team's stored limits itself, after the given ones, as they stand at each reservation", async () => {
      const teamDay: ScopeLimit = { scope: "day", subject: { kind: "team", name: "platform" }, limitNanoUsd: 1000 };
      const appMonth: ScopeLimit = { scope: "month", subject: { kind: "project", name: "app" }, limitNanoUsd: 700 };
      await ledger.setTeamLimits("platform", [{ scope: "day", limitNanoUsd: 1000 }, { project: "app", scope: "month", limitNanoUsd: 700 }], "ana", at);
      const forApp = { team: "platform", project: "app" };
      const forWeb = { team: "platform", project: "web", runId: "run-2" };
      assert.equal((await ledger.reserve(request(600, forApp))).ok, true, "no limit given: the stored ones alone bind");
      assert.deepEqual(await ledger.reserve(request(101, forApp)), { ok: false, limit: appMonth, usedNanoUsd: 600 }, "600 + 101 passes app's 700");
      assert.deepEqual(
        await ledger.reserve(request(101, { ...forApp, limits: [dayLimit(650)] })),
        { ok: false, limit: dayLimit(650), usedNanoUsd: 600 },
        "a given limit is checked before the stored ones",
      );
      assert.equal((await ledger.reserve(request(400, forWeb))).ok, true, "600 + 400 = the team's 1000; app's cap does not bind web");
      assert.deepEqual(await ledger.reserve(request(1, forWeb)), { ok: false, limit: teamDay, usedNanoUsd: 1000 });
      assert.equal((await ledger.reserve(request(1, { ...forWeb, synthetic: true }))).ok, true, "synthetic money is not the team's real money");
      assert.equal((await ledger.reserve(request(500, { runId: "run-3" }))).ok, true, "without a project, no team limit binds");

      await ledger.setTeamLimits("platform", [{ scope: "day", limitNanoUsd: 1500 }], "bo", at);
      assert.equal((await ledger.reserve(request(500, forWeb))).ok, true, "the raised limit binds from the next reservation on");
      assert.deepEqual(await ledger.reserve(request(1, forWeb)), { ok: false, limit: { ...teamDay, limitNanoUsd: 1500 }, usedNanoUsd: 1500 });
    });

    it("stores a team's limits with who set each and when; null removes one", async () => {
      const first = await ledger.setTeamLimits(
        "platform",
        [
          { scope: "month", limitNanoUsd: 800_000_000_000 },
          { scope: "day", limitNanoUsd: 50_000_000_000 },
          { project: "app", scope: "day", limitNanoUsd: 10_000_000_000 },
        ],
        "ana@ci-1",
        at,
      );
      const own = { team: "platform", setBy: "ana@ci-1", setAt: at };
      assert.deepEqual(first, [
        { ...own, scope: "day", limitNanoUsd: 50_000_000_000 },
        { ...own, scope: "month", limitNanoUsd: 800_000_000_000 },
        { ...own, project: "app", scope: "day", limitNanoUsd: 10_000_000_000 },
      ]);
      const later = "2026-03-11T08:00:00.000Z";
      await ledger.setTeamLimits("platform", [{ scope: "day", limitNanoUsd: 40_000_000_000 }, { project: "app", scope: "day", limitNanoUsd: null }], "bo@laptop", later);
      assert.deepEqual(await ledger.teamLimits("platform"), [
        { team: "platform", scope: "day", limitNanoUsd: 40_000_000_000, setBy: "bo@laptop", setAt: later },
        { ...own, scope: "month", limitNanoUsd: 800_000_000_000 },
      ]);
      assert.deepEqual(await ledger.teamLimits("data"), []);
      await ledger.setTeamLimits("data", [{ project: "etl", scope: "month", limitNanoUsd: 1 }], "ana@ci-1", at);
      assert.deepEqual(await ledger.teams("2026-03"), ["data", "platform"], "teams with stored limits, without any reservation");
      assert.deepEqual(await ledger.teamProjects("data", "2026-03"), ["etl"]);
    });

    it("never lets concurrent reservations share the last dollar", async () => {
      const limits = [dayLimit(1000), { scope: "month" as const, limitNanoUsd: 5000 }];
      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, index) => ledger.reserve(request(100, { runId: `run-${index}`, limits }))));
      assert.equal(outcomes.filter((outcome) => outcome.ok).length, 10);
      assert.equal(await ledger.usedInScope("day", keys), 1000);
      for (const outcome of outcomes) if (!outcome.ok) assert.ok(outcome.usedNanoUsd + 100 > 1000, "each refusal saw a full day");
    });
  });
}
