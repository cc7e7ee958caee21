/**
 * Running totals per budget scope (issue 11): after any sequence of reserves, settles, releases
 * and expiries, across runs, days, pipelines, tags and synthetic money, each total equals the sum
 * of its rows computed from scratch; a database migrated with reservations already in it starts
 * from the same sums. Seeded: `ORCH_PROPERTY_SEED=<seed>` replays a failure.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { migrate, openDatabase } from "../../src/store/database.js";
import { LedgerRepository } from "../../src/store/ledger-repository.js";
import { migrations } from "../../src/store/migrations.js";
import { createRandom, propertySeed } from "./support/random.js";
import { storedTotals, totalsFromRows } from "./support/totals-from-rows.js";

function randomOperations(ledger: LedgerRepository, seed: number, count: number): void {
  const random = createRandom(seed);
  const open: number[] = [];
  for (let index = 0; index < count; index++) {
    const day = random.pick(["2026-03-09", "2026-03-10", "2026-04-01"]);
    const createdAt = `${day}T12:00:${String(index % 60).padStart(2, "0")}.000Z`;
    const roll = random.next();
    if (roll < 0.5 || open.length === 0) {
      const outcome = ledger.reserve({
        runId: random.pick(["run-a", "run-b"]),
        day,
        month: day.slice(0, 7),
        pipelineName: random.pick(["p", "q"]),
        tags: random.chance(0.5) ? [random.pick(["hot", "cold"]), random.pick(["hot", "x"])] : [],
        amountNanoUsd: random.integer(0, 5_000),
        ...(random.chance(0.3) ? { synthetic: true } : {}),
        limits: random.chance(0.2) ? [{ scope: "day", limitNanoUsd: 40_000 }] : [],
        processId: random.pick([101, 102]),
        createdAt,
        // Some are already overdue: the next reserve expires them.
        expiresAt: random.chance(0.15) ? "2000-01-01T00:00:00.000Z" : "2100-01-01T00:00:00.000Z",
      });
      if (outcome.ok) open.push(outcome.reservationId);
    } else if (roll < 0.75) {
      const id = open.splice(random.integer(0, open.length - 1), 1)[0]!;
      ledger.settle(id, random.integer(0, 8_000), createdAt);
    } else if (roll < 0.92) {
      ledger.release(open.splice(random.integer(0, open.length - 1), 1)[0]!, createdAt);
    } else {
      ledger.expireReservations(createdAt, [random.pick([101, 102])]);
    }
  }
}

describe("budget scope totals", () => {
  it("equal the sums of the reservation rows after random operations", () => {
    const seed = propertySeed();
    const database = openDatabase(":memory:");
    const ledger = new LedgerRepository(database);
    randomOperations(ledger, seed, 600);
    const expected = totalsFromRows(database);
    assert.ok(expected.size > 20, "the operations touched many scopes");
    assert.deepEqual(storedTotals(database), expected, `seed ${seed}`);
    // What checks read agrees with the rows too, for a subject and for synthetic money.
    const keys = { runId: "run-a", day: "2026-03-10", month: "2026-03" };
    const hot = expected.get("month|2026-03|tag|hot|0");
    assert.equal(ledger.usageInScope("month", keys, { kind: "tag", name: "hot" }).settledNanoUsd, hot?.settled ?? 0, `seed ${seed}`);
    const runReal = expected.get("run|run-a|all||0");
    const runSynthetic = expected.get("run|run-a|all||1");
    assert.equal(ledger.usedInScope("run", keys), [runReal, runSynthetic].reduce((sum, row) => sum + (row ? row.settled + row.reserved + row.expired : 0), 0), `seed ${seed}`);
    database.close();
  });

  it("start, in a database migrated with reservations already in it, from the sums of those rows", () => {
    const seed = propertySeed();
    const totalsMigration = migrations.findIndex((migration) => migration.name.endsWith("_budget_scope_totals"));
    const before = migrations.slice(0, totalsMigration);
    const database = openDatabase(":memory:", { migrations: before });
    // Written as the ledger wrote rows before the totals existed (plain inserts and updates).
    const random = createRandom(seed);
    for (let index = 0; index < 200; index++) {
      const day = random.pick(["2026-03-09", "2026-03-10"]);
      const id = Number(
        database
          .prepare(
            `INSERT INTO budget_reservations (run_id, pipeline_name, day, month, reserved_nano_usd, status, process_id, created_at, expires_at, synthetic, settled_nano_usd)
             VALUES (?, ?, ?, '2026-03', ?, ?, 1, 'x', 'y', ?, ?)`,
          )
          .run(random.pick(["r1", "r2"]), random.pick(["p", "q"]), day, random.integer(0, 900), random.pick(["reserved", "settled", "released", "expired"]), random.chance(0.3) ? 1 : 0, random.integer(0, 900))
          .lastInsertRowid,
      );
      if (random.chance(0.5)) database.prepare(`INSERT INTO budget_reservation_tags (reservation_id, tag) VALUES (?, ?)`).run(id, random.pick(["hot", "cold"]));
    }
    const expected = totalsFromRows(database);
    assert.deepEqual(migrate(database, migrations), migrations.slice(totalsMigration).map((migration) => migration.name));
    assert.deepEqual(storedTotals(database), expected, `seed ${seed}`);
    database.close();
  });
});
