/**
 * The proof: eight processes standing for eight CI runners share one PostgreSQL ledger
 * with a team's daily budget, all settling real and adversarial usage; two are SIGKILLed mid-run,
 * one of them standing for another machine (its process id cannot be asked; its lease tells).
 * Settled + open + expired money never exceeds the limit except through recorded overruns (checked
 * by every runner after every step, and at the end); after reconciliation no reservation is left
 * open; and the running totals agree with the rows. A failure prints its seed:
 * `ORCH_PROPERTY_SEED=<seed> node --import tsx --test <this file>`.
 */
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { ScopeLimit } from "../../../src/contracts/ledger-store.js";
import { reconcileLedger } from "../../../src/budget/reconcile.js";
import { openPostgresStore, type PostgresStore } from "../../../src/store/postgres/index.js";
import { leaseLockNamespace } from "../../../src/store/postgres/process-lease.js";
import { propertySeed } from "../../budget/support/random.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";
import type { RunnerReport, RunnerSettings } from "./support/runner-worker.js";

const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/runner-worker.ts");
const tsxLoader = import.meta.resolve("tsx");
const day = "2026-03-10";
const limits: ScopeLimit[] = [
  { scope: "day", limitNanoUsd: 1_000_000_000 },
  { scope: "month", limitNanoUsd: 1_500_000_000 },
  { scope: "day", subject: { kind: "tag", name: "hot" }, limitNanoUsd: 300_000_000 },
];
const createdAt = "2026-03-10T12:00:00.000Z";
const expiresAt = "2026-03-10T12:30:00.000Z";

/** Waits (bounded) until no session holds the leases of these runs: the server frees them when it sees a killed process's connection close. */
async function leasesReleased(store: PostgresStore, runIds: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await store.pool.query(
      `SELECT COUNT(*) AS held FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objsubid = 2
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND objid::text::int IN (SELECT DISTINCT lease_id FROM budget_reservations WHERE run_id = ANY($2))`,
      [leaseLockNamespace, runIds],
    );
    if (Number(rows[0].held) === 0) return;
    if (Date.now() > deadline) throw new Error(`the leases of ${runIds.join(", ")} are still held 10 s after their processes were killed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Runner {
  child: ChildProcess;
  message(type: string): Promise<unknown>;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function startRunner(settings: RunnerSettings): Runner {
  const child = fork(workerFile, [JSON.stringify(settings)], { execArgv: ["--import", tsxLoader], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const message = (type: string) =>
    new Promise<unknown>((resolve) => {
      const listener = (received: { type?: string }) => {
        if (received.type !== type) return;
        child.off("message", listener);
        resolve(received);
      };
      child.on("message", listener);
      void exit.then(() => resolve(undefined));
    });
  return { child, message, exit };
}

describe("eight CI runners sharing one PostgreSQL ledger", { skip: postgresSkip() }, () => {
  let database: TestDatabase;
  let store: PostgresStore;
  before(async () => {
    database = await createTestDatabase("orch_runners");
    store = await openPostgresStore({ url: database.url });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it("never overspend the team's day but through recorded overruns, and leak nothing after reconcile", { timeout: 120_000 }, async (context) => {
    const seed = propertySeed();
    context.diagnostic(`seed ${seed} (replay with ORCH_PROPERTY_SEED=${seed})`);
    const thisHost = os.hostname();
    const base = { url: database.url, calls: 60, limits, keys: { day, month: "2026-03" }, createdAt, expiresAt };
    // Runner 6 crashes on this machine (its pid can be asked); runner 7 on another machine (only its reservations' deadline tells).
    const runners = Array.from({ length: 8 }, (_, index) =>
      startRunner({
        ...base,
        seed: seed + index,
        runId: `runner-${index}`,
        hostName: index === 7 ? "another-machine" : thisHost,
        mode: index >= 6 ? "doomed" : "normal",
      }),
    );
    await Promise.all(runners.map((runner) => runner.message("ready")));
    const reports = runners.slice(0, 6).map((runner) => runner.message("report") as Promise<RunnerReport | undefined>);
    const doomed = runners.slice(6).map(async (runner) => {
      await runner.message("progress");
      runner.child.kill("SIGKILL");
      return runner.exit;
    });
    for (const runner of runners) runner.child.send("go");
    const finished = await Promise.all(reports);
    assert.deepEqual((await Promise.all(runners.slice(0, 6).map((runner) => runner.exit))).map(([code]) => code), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual((await Promise.all(doomed)).map(([, signal]) => signal), ["SIGKILL", "SIGKILL"]);

    const sum = async (sql: string, ...parameters: unknown[]) => Number((await store.pool.query(sql, parameters)).rows[0].total);
    for (const report of finished) {
      assert.ok(report, `seed ${seed}: every surviving runner reported`);
      assert.deepEqual(report.violations, [], `seed ${seed}: ${report.runId}`);
      assert.equal(await sum(`SELECT COALESCE(SUM(settled_nano_usd), 0) AS total FROM budget_reservations WHERE run_id = $1`, report.runId), report.settledNanoUsd);
    }
    const totals = finished.reduce((all, report) => ({ refused: all.refused + report!.refused, overruns: all.overruns + report!.overruns }), { refused: 0, overruns: 0 });
    assert.ok(totals.refused > 0, `seed ${seed}: the day's limit was tight enough to refuse`);
    assert.ok(totals.overruns > 0, `seed ${seed}: adversarial usage was recorded as overruns`);

    // The killed runners left reservations open. Runner 6's pid can be asked on this machine; runner 7's
    // machine cannot be asked, but its session lease is free once the server has seen its connection close.
    const openOf = (runId: string) => sum(`SELECT COUNT(*) AS total FROM budget_reservations WHERE status = 'reserved' AND run_id = $1`, runId);
    const heldBy6 = await openOf("runner-6");
    const heldBy7 = await openOf("runner-7");
    assert.ok(heldBy6 >= 1 && heldBy7 >= 1, `seed ${seed}: each killed runner held reservations (${heldBy6}, ${heldBy7})`);
    assert.equal(await store.ledger.openReservationCount(), heldBy6 + heldBy7, "the survivors closed all of theirs");
    await leasesReleased(store, ["runner-6", "runner-7"]);

    const reconciled = await reconcileLedger(store.ledger, { now: new Date(createdAt), hostName: thisHost });
    assert.deepEqual(
      reconciled.expired.map((row) => `${row.runId} ${row.reason}`).sort(),
      [...Array(heldBy6).fill("runner-6 process-gone"), ...Array(heldBy7).fill("runner-7 process-gone")],
      "both killed runners' reservations expire at once, before their deadline",
    );
    assert.equal(await store.ledger.openReservationCount(), 0, `seed ${seed}: no reservation leaked`);

    const used = await sum(
      `SELECT COALESCE(SUM(CASE WHEN status = 'settled' THEN settled_nano_usd WHEN status IN ('reserved', 'expired') THEN reserved_nano_usd ELSE 0 END), 0) AS total
       FROM budget_reservations WHERE day = $1 AND NOT synthetic`,
      day,
    );
    const overrun = await sum(`SELECT COALESCE(SUM(overrun_nano_usd), 0) AS total FROM budget_overruns WHERE day = $1 AND NOT synthetic`, day);
    context.diagnostic(`day used ${used}, overruns ${overrun}, limit ${limits[0]!.limitNanoUsd}`);
    assert.ok(used <= limits[0]!.limitNanoUsd + overrun, `seed ${seed}: ${used} within the limit plus overruns ${overrun}`);
    assert.equal(await store.ledger.usedInScope("day", { runId: "", day, month: "2026-03" }), used, "the running total agrees with the rows");

    // Every running total equals the sum of its rows, in every scope and subject, for both kinds of money.
    const mismatches = await store.pool.query(`
      WITH counted AS (
        SELECT r.*, s.scope, s.period, s.subject_kind, s.subject_name FROM budget_reservations r
        CROSS JOIN LATERAL (
          SELECT scope, CASE scope WHEN 'run' THEN r.run_id WHEN 'day' THEN r.day ELSE r.month END AS period, subject_kind, subject_name
          FROM unnest(ARRAY['run', 'day', 'month']) AS scope
          CROSS JOIN LATERAL (
            SELECT 'all' AS subject_kind, '' AS subject_name UNION ALL SELECT 'pipeline', r.pipeline_name
            UNION ALL SELECT 'tag', tag FROM budget_reservation_tags WHERE reservation_id = r.id
          ) subjects
        ) s
      ), sums AS (
        SELECT scope, period, subject_kind, subject_name,
          SUM(CASE WHEN status = 'settled' AND NOT synthetic THEN settled_nano_usd ELSE 0 END) AS settled_real,
          SUM(CASE WHEN status = 'reserved' AND NOT synthetic THEN reserved_nano_usd ELSE 0 END) AS reserved_real,
          SUM(CASE WHEN status = 'expired' AND NOT synthetic THEN reserved_nano_usd ELSE 0 END) AS expired_real,
          SUM(CASE WHEN status = 'settled' AND synthetic THEN settled_nano_usd ELSE 0 END) AS settled_synthetic,
          SUM(CASE WHEN status = 'reserved' AND synthetic THEN reserved_nano_usd ELSE 0 END) AS reserved_synthetic,
          SUM(CASE WHEN status = 'expired' AND synthetic THEN reserved_nano_usd ELSE 0 END) AS expired_synthetic
        FROM counted GROUP BY scope, period, subject_kind, subject_name
      )
      SELECT t.scope, t.period, t.subject_kind, t.subject_name FROM budget_scope_totals t
      FULL JOIN sums s USING (scope, period, subject_kind, subject_name)
      WHERE (t.settled_real, t.reserved_real, t.expired_real, t.settled_synthetic, t.reserved_synthetic, t.expired_synthetic)
        IS DISTINCT FROM (s.settled_real, s.reserved_real, s.expired_real, s.settled_synthetic, s.reserved_synthetic, s.expired_synthetic)`);
    assert.deepEqual(mismatches.rows, [], `seed ${seed}: running totals equal the rows`);
  });
});
