/**
 * Property across processes: four `orch`-like processes (plus one that crashes holding
 * reservations) share one SQLite file under tight limits. Settled spend never exceeds a limit,
 * every reservation ends closed, each alert is raised once, and the database stays sound.
 * A failure prints its seed: `ORCH_PROPERTY_SEED=<seed> node --import tsx --test <this file>`.
 */
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { reconcileLedger, usdToNano, type BudgetLimits } from "../../src/budget/index.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { temporaryDirectory } from "../support/cli.js";
import { propertySeed } from "./support/random.js";
import { storedTotals, totalsFromRows } from "./support/totals-from-rows.js";
import type { WorkerReport, WorkerSettings } from "./support/ledger-worker.js";

const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/ledger-worker.ts");
/** Absolute, so the workers find tsx whatever the working directory. */
const tsxLoader = import.meta.resolve("tsx");
const limits: BudgetLimits = { dailyUsd: 1, monthlyUsd: 1.5, perTag: { hot: { dailyUsd: 0.3 } } };

interface Worker {
  child: ChildProcess;
  ready: Promise<unknown>;
  report: Promise<WorkerReport | undefined>;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function startWorker(settings: WorkerSettings): Worker {
  const child = fork(workerFile, [JSON.stringify(settings)], { execArgv: ["--import", tsxLoader], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const messages = (type: string) =>
    new Promise<unknown>((resolve) => {
      const listener = (message: { type?: string }) => {
        if (message.type !== type) return;
        child.off("message", listener);
        resolve(message);
      };
      child.on("message", listener);
      child.once("exit", () => resolve(undefined));
    });
  return {
    child,
    ready: messages("ready"),
    report: messages("report") as Promise<WorkerReport | undefined>,
    exit: once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>,
  };
}

describe("reservations across processes (property)", () => {
  it("never overspend a shared database, leak nothing and keep it sound", { timeout: 60_000 }, async (context) => {
    const seed = propertySeed();
    context.diagnostic(`seed ${seed} (replay with ORCH_PROPERTY_SEED=${seed})`);
    const file = path.join(temporaryDirectory("orch-processes-"), "orch.db");
    await openSqliteStore(file).close();
    const base = { file, calls: 100, limits, tags: ["hot"], at: "2026-03-10T12:00:00Z" };

    const crashed = startWorker({ ...base, seed, runId: "crashed", mode: "crash" });
    await crashed.ready;
    const [, crashSignal] = await crashed.exit;
    assert.equal(crashSignal, "SIGKILL");

    const workers = [0, 1, 2, 3].map((index) => startWorker({ ...base, seed: seed + index + 1, runId: `worker-${index}`, mode: "normal" }));
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.child.send("go");
    const reports = await Promise.all(workers.map((worker) => worker.report));
    const exits = await Promise.all(workers.map((worker) => worker.exit));
    assert.deepEqual(exits.map(([code]) => code), [0, 0, 0, 0], `seed ${seed}: every worker finished`);

    const store = openSqliteStore(file);
    const leftover = await reconcileLedger(store.ledger);
    const sum = (sql: string, ...parameters: string[]) => (store.database.prepare(sql).get(...parameters) as { total: number }).total;
    const settled = sum(`SELECT COALESCE(SUM(settled_nano_usd), 0) AS total FROM budget_reservations WHERE status = 'settled'`);
    const expired = sum(`SELECT COALESCE(SUM(reserved_nano_usd), 0) AS total FROM budget_reservations WHERE status = 'expired'`);
    const settledHot = sum(
      `SELECT COALESCE(SUM(settled_nano_usd), 0) AS total FROM budget_reservations
       WHERE status = 'settled' AND id IN (SELECT reservation_id FROM budget_reservation_tags WHERE tag = 'hot')`,
    );
    const totals = reports.reduce(
      (total, report) => ({ reserved: total.reserved + (report?.reserved ?? 0), refused: total.refused + (report?.refused ?? 0) }),
      { reserved: 0, refused: 0 },
    );
    context.diagnostic(`${JSON.stringify(totals)}, settled $${settled / 1e9}, expired $${expired / 1e9}`);

    for (const report of reports) {
      assert.ok(report, `seed ${seed}: every worker reported`);
      assert.deepEqual(report.violations, [], `seed ${seed}: ${report.runId} saw a limit exceeded`);
      assert.equal(sum(`SELECT COALESCE(SUM(settled_nano_usd), 0) AS total FROM budget_reservations WHERE run_id = ?`, report.runId), report.settledNanoUsd);
    }
    assert.ok(settled + expired <= usdToNano(limits.dailyUsd!), `seed ${seed}: settled ${settled} + expired ${expired} within the daily limit`);
    assert.ok(settledHot <= usdToNano(limits.perTag!.hot!.dailyUsd!), `seed ${seed}: the tag's limit holds`);
    assert.ok(totals.reserved > 0 && totals.refused > 0, `seed ${seed}: the limits were tight enough to refuse`);
    assert.equal(await store.ledger.openReservationCount(), 0, `seed ${seed}: no reservation leaked`);

    const expiredRows = sum(`SELECT COUNT(*) AS total FROM budget_reservations WHERE status = 'expired'`);
    const expiredSeen = reports.reduce((total, report) => total + (report?.expiredSeen ?? 0), leftover.expired.length);
    assert.equal(expiredRows, 5, "the crashed process's reservations are closed as expired");
    assert.equal(expiredSeen, 5, "and reported exactly once, by whichever process reconciled first");

    const alertRows = sum(`SELECT COUNT(*) AS total FROM budget_alerts`);
    assert.equal(reports.reduce((total, report) => total + (report?.alerts ?? 0), 0), alertRows, "each alert raised by exactly one process");
    // Running totals (issue 11), kept by five processes at once, one killed mid-run: still the sums of the rows.
    assert.deepEqual(storedTotals(store.database), totalsFromRows(store.database), `seed ${seed}: running totals equal the rows' sums`);
    assert.equal(store.database.pragma("integrity_check", { simple: true }), "ok");
    await store.close();
  });
});
