/**
 * One calendar per ledger: two real processes whose `TZ` puts the same instant on different days
 * (Kiritimati is UTC+14, Pago Pago UTC−11) share one SQLite file and a $0.005 daily limit. Without
 * a policy `time_zone` they must agree on the day (the database's zone), so the second $0.004 is
 * refused; with a calendar per process each saw a fresh day and both were granted ($0.008 spent).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { temporaryDirectory } from "../support/cli.js";

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/calendar-worker.ts");
const tsxLoader = import.meta.resolve("tsx");
const at = "2026-03-10T11:00:00Z";

function runWorker(file: string, timeZone: string): Promise<{ granted: boolean; zone: string; day: string; ownDay: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, worker, file, at, "0.004"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TZ: timeZone },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`worker exited ${code}`))));
  });
}

describe("one calendar per ledger", () => {
  it("processes with different TZ sharing a database agree on the day, so a daily limit holds", { timeout: 60_000 }, async () => {
    const file = path.join(temporaryDirectory("orch-calendar-"), "orch.db");
    const first = await runWorker(file, "Pacific/Kiritimati");
    const second = await runWorker(file, "Pacific/Pago_Pago");
    // The processes' own calendars disagree at this instant: the premise of the test.
    assert.deepEqual([first.ownDay, second.ownDay], ["2026-03-11", "2026-03-10"]);
    assert.equal(first.zone, "Pacific/Kiritimati", "the first process fixes the database's zone");
    assert.equal(second.zone, "Pacific/Kiritimati", "a later process reads it back whatever its own TZ");
    assert.equal(second.day, first.day);
    assert.deepEqual([first.granted, second.granted], [true, false], "the second $0.004 does not fit today's $0.005");
    const store = openSqliteStore(file);
    const spent = store.database.prepare(`SELECT COALESCE(SUM(settled_nano_usd), 0) AS total FROM budget_reservations WHERE status = 'settled'`).get() as { total: number };
    await store.close();
    assert.equal(spent.total, 4_000_000);
  });
});
