/**
 * `orch db copy`: a SQLite store with runs, calls, texts, cache entries and servings, batches and
 * ledger rows (settled, open, synthetic, tagged, an overrun, an alert, the calendar) is copied into
 * an empty PostgreSQL store, and everything read back through the PostgreSQL contract is what the
 * SQLite contract reads; a second copy is refused and changes nothing; a copy that fails half-way
 * leaves the target empty; the password never shows.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { OrchStore } from "../../../src/contracts/orch-store.js";
import { copySqliteToPostgres } from "../../../src/store/copy/sqlite-to-postgres.js";
import { openPostgresOrchStore } from "../../../src/store/postgres/index.js";
import { runCliInProcess, temporaryDirectory } from "../../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";
import { openSqliteStore } from "../contract/stores.js";
import { at, callRecord, recordCall, reserve, startRun, t0 } from "../contract/support/fixtures.js";

const keys = { runId: "run-1", day: "2026-03-10", month: "2026-03" };

/** A store with a bit of everything, written through the contract. */
async function fill(store: OrchStore): Promise<void> {
  await store.ledger.calendarZone("Europe/Paris", t0);
  await store.ledger.setTeamLimits("platform", [{ scope: "day", limitNanoUsd: 5_000 }, { project: "app", scope: "month", limitNanoUsd: 90_000 }], "ana@ci", t0);
  const ids = await startRun(store, "run-1", { inputs: { topic: "ice" }, resultsDirectory: "/work/results/run-1" }, ["draft", "review"]);
  const draft = ids.get("draft")!;
  const settled = await reserve(store, 400, { tags: ["hot"], limits: [{ scope: "day", limitNanoUsd: 10_000 }] });
  const { entryId } = (await store.runs.recordPaidCall({
    stepExecutionId: draft,
    close: { kind: "settle", reservationId: settled, actualNanoUsd: 650, call: { step: "draft", attempt: 1, provider: "openai", model: "mini" } },
    call: callRecord("run-1", draft, { reservationId: settled, costUsd: 0.00000065, startedAt: at(1), finishedAt: at(2), providerCacheSavedNano: 77 }),
    text: { kept: "full", messagesJson: `[{"role":"user","content":"héllo"}]`, answer: "draft one" },
    answer: { cacheKey: "key-a", runId: "run-1", step: "draft", provider: "openai", model: "mini", answer: "draft one", inputTokens: 100, outputTokens: 20, costUsd: 0.00000065, shareable: true, createdAt: at(2) },
  })) as { entryId: number };
  await store.executions.recordVerdict(1, "accepted", at(3), "typescript");
  await store.runs.finishStep(draft, { status: "succeeded", finishedAt: at(3), output: "draft one", resultJson: `{"route":{"chosen":"openai:mini"}}`, attempts: 1, inputTokens: 100, outputTokens: 20, costUsd: 0.00000065 }, [entryId]);
  await store.ledger.recordAlert({ scope: "day", period: "2026-03-10", fraction: 0.05, usedNanoUsd: 650, limitNanoUsd: 10_000, runId: "run-1", createdAt: at(2) });
  await reserve(store, 300, { synthetic: true });
  await reserve(store, 200, { tags: ["hot", "cold"] }); // left open
  const review = ids.get("review")!;
  await store.runs.recordReusedAnswer({
    stepExecutionId: review, entryId, use: { runId: "run-1", step: "review", itemIndex: 2 },
    call: callRecord("run-1", review, { step: "review", status: "cached", costUsd: 0, itemIndex: 2, startedAt: at(4), finishedAt: at(4) }),
    text: { kept: "hashes", answerSha256: "sha" },
  });
  await store.runs.finishRun("run-1", "failed", at(5), 1);
  const second = (await startRun(store, "run-2", { startedAt: at(6), pipelineName: "review" })).get("draft")!;
  await recordCall(store, callRecord("run-2", second, { pipelineName: "review", status: "failed", costUsd: 0, errorKind: "server", startedAt: at(7) }));
  await store.batches.recordSubmitted({ runId: "run-2", provider: "openai", vendorBatchId: "batch_1", submittedAt: at(7), deadlineAt: at(60) }, [{ customId: "c-1", cacheKey: "key-z", step: "draft", item: 1 }]);
}

/** Everything the contract can read of `fill`'s rows. */
async function readBack(store: OrchStore) {
  return {
    runs: await Promise.all(["run-1", "run-2"].map((id) => store.runs.getRun(id))),
    steps: await Promise.all(["run-1", "run-2"].map((id) => store.runs.listSteps(id))),
    calls: await Promise.all(["run-1", "run-2"].map((id) => store.runs.listCalls(id))),
    logged: await store.callLog.calls("run-1"),
    listed: await store.callLog.listRuns({ limit: 10 }),
    route: await store.callLog.stepRoute("run-1", "draft"),
    cache: [await store.cache.stats(), await store.cache.findReusable("key-a", t0, []), await store.cache.findInRun("key-a", "run-1", "review", 2, [])],
    history: [await store.history.settledCalls(t0), await store.history.recentOutcomes(t0, 5), await store.history.costSince(t0)],
    reports: [await store.reports.callsBetween(t0, at(60)), await store.reports.ledgerUse("2026-01", "2026-12"), await store.reports.ledgerUseByTag("2026-01", "2026-12"), await store.reports.pipelineNames()],
    teamLimits: await store.ledger.teamLimits("platform"),
    ledger: [
      await store.ledger.usageInScope("day", keys),
      await store.ledger.usageInScope("run", keys),
      await store.ledger.usageInScope("day", keys, { kind: "tag", name: "hot" }),
      await store.ledger.overrunsInPeriods(keys),
      await store.ledger.alertsInPeriods(keys),
      await store.ledger.openReservationCount(),
      await store.ledger.calendarZone("UTC", at(9)),
    ],
    attempts: Object.fromEntries(await store.executions.lastAttempts("run-1")),
    batch: await store.batches.pendingCall("openai", "key-z"),
  };
}

describe("orch db copy (SQLite → PostgreSQL)", { skip: postgresSkip() }, () => {
  const databases: TestDatabase[] = [];
  let file: string;
  before(async () => {
    file = path.join(temporaryDirectory("orch-db-copy-"), "orch.db");
    const sqlite = await openSqliteStore(file);
    await fill(sqlite);
    await sqlite.close();
  });
  after(async () => {
    for (const database of databases) await database.drop();
  });
  const emptyDatabase = async () => {
    const database = await createTestDatabase("orch_db_copy");
    databases.push(database);
    return database;
  };

  it("copies every table in one transaction; the PostgreSQL store then reads what the SQLite one reads", async () => {
    const { url } = await emptyDatabase();
    const progress: string[] = [];
    const outcome = await copySqliteToPostgres(file, url, ({ table, rows }) => progress.push(`${table}:${rows}`));
    assert.deepEqual(progress, [
      "runs:2", "step_executions:3", "ledger_settings:1", "team_budget_limits:2", "budget_reservations:3", "budget_reservation_tags:3", "budget_scope_totals:12",
      "budget_overruns:1", "budget_alerts:1", "llm_calls:3", "llm_call_texts:3", "cached_answers:1", "cached_answer_uses:1", "batch_jobs:1", "batch_calls:1",
    ]);
    assert.equal(outcome.rows, 38);
    const sqlite = await openSqliteStore(file);
    const postgres = await openPostgresOrchStore(url);
    try {
      const copied = await readBack(postgres);
      assert.deepEqual(copied, await readBack(sqlite));
      // A few figures by hand, so the comparison above is not only "both agree".
      assert.deepEqual(copied.ledger.slice(0, 3), [
        { settledNanoUsd: 650, reservedNanoUsd: 200, expiredNanoUsd: 0, expiredCount: 0 },
        { settledNanoUsd: 650, reservedNanoUsd: 500, expiredNanoUsd: 0, expiredCount: 0 },
        { settledNanoUsd: 650, reservedNanoUsd: 200, expiredNanoUsd: 0, expiredCount: 0 },
      ]);
      assert.equal(copied.ledger[6], "Europe/Paris", "the calendar came along");
      assert.deepEqual(copied.listed.map((row) => [row.id, row.cost_nano_usd, row.calls]), [["run-2", 0, 1], ["run-1", 650, 2]]);
      // New rows take ids after the copied ones.
      const step = (await startRun(postgres, "run-3", { startedAt: at(20) })).get("draft")!;
      assert.equal(step, 4);
      assert.equal((await recordCall(postgres, callRecord("run-3", step))).callId, 4);
      assert.equal(await reserve(postgres, 1, { runId: "run-3" }), 4);
      const expired = await postgres.ledger.expireReservations(at(10), []);
      assert.deepEqual(expired.map((row) => [row.id, row.reservedNanoUsd, row.processGone]), [[2, 300, true], [3, 200, true]], "the file's open reservations belong to no process here");
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it("refuses a store that is not empty, changing nothing; the CLI says so with exit 2 and never prints the password", async () => {
    const { url } = await emptyDatabase();
    const withPassword = new URL(url);
    withPassword.password = "s3cret-word";
    const first = await runCliInProcess(["db", "copy", "--from", `sqlite:${file}`, "--to", withPassword.toString()]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /copying .*orch\.db → postgres:\/\/orch:\*\*\*@/);
    assert.match(first.stdout, /  llm_calls +3 rows\n/);
    assert.match(first.stdout, /copied 38 rows from 15 tables/);
    const second = await runCliInProcess(["db", "copy", "--from", `sqlite:${file}`, "--to", withPassword.toString()]);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /is not empty \(runs: 2, step_executions: 3, ledger_settings: 1, team_budget_limits: 2, budget_reservations: 3,.*\); nothing was copied/);
    assert.match(second.stderr, /hint: orch db copy fills an empty store only/);
    assert.doesNotMatch(first.stdout + first.stderr + second.stdout + second.stderr, /s3cret-word/);
    const postgres = await openPostgresOrchStore(url);
    try {
      assert.equal((await postgres.callLog.listRuns({ limit: 10 })).length, 2, "still one copy");
    } finally {
      await postgres.close();
    }
  });

  it("leaves the target empty when a row cannot be copied, and names the table", async () => {
    const broken = path.join(temporaryDirectory("orch-db-copy-"), "orch.db");
    const store = await openSqliteStore(broken);
    await fill(store);
    await store.close();
    const raw = new Database(broken);
    raw.prepare(`UPDATE budget_alerts SET created_at = 'yesterday-ish'`).run();
    raw.close();
    const { url } = await emptyDatabase();
    await assert.rejects(copySqliteToPostgres(broken, url), /copying table budget_alerts failed: .*yesterday-ish.*; nothing was copied/);
    const postgres = await openPostgresOrchStore(url);
    try {
      assert.deepEqual(await postgres.callLog.listRuns({ limit: 10 }), []);
      assert.equal(await postgres.ledger.openReservationCount(), 0);
    } finally {
      await postgres.close();
    }
  });

  it("rejects bad arguments with exit 2 and the usage", async () => {
    const cases: [string[], RegExp][] = [
      [["db"], /missing action: copy/],
      [["db", "copy", "--to", "postgres://x/y"], /missing --from/],
      [["db", "copy", "--from", "/tmp/orch.db", "--to", "postgres://x/y"], /--from expects sqlite:FILE, got "\/tmp\/orch.db"/],
      [["db", "copy", "--from", "sqlite:/tmp/orch.db", "--to", "mysql://u:hidden@x/y"], /--to expects a postgres:\/\/ URL, got "mysql:\/\/u:\*\*\*@x\/y"/],
      [["db", "copy", "--from", "postgres://x/y", "--to", "sqlite:/tmp/orch.db"], /copying from PostgreSQL to SQLite is not supported/],
      [["db", "copy", "--from", "sqlite:/nowhere/orch.db", "--to", "postgres://x/y"], /no SQLite store at \/nowhere\/orch.db/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliInProcess(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /hidden/);
    }
  });
});
