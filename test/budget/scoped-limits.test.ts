import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { createLedger, ledgerSettingsOf, type BudgetLimits } from "../../src/budget/index.js";
import { ConfigError } from "../../src/config/diagnostic.js";
import { loadPolicyFile } from "../../src/config/load-config.js";
import { offlinePolicy, writeProject } from "../support/project.js";
import { openStore, type OrchStore } from "../../src/store/index.js";

const now = () => new Date("2026-03-10T12:00:00Z");

function ledgerOf(store: OrchStore, limits: BudgetLimits, pipelineName = "release-notes", runId = `run-${pipelineName}`) {
  return createLedger({ store: store.ledger, runId, pipelineName, limits, timeZone: "UTC", now });
}

describe("ledger settings", () => {
  it("come from the policy's budget section, alerts sorted and deduplicated", async () => {
    assert.deepEqual(
      ledgerSettingsOf({
        run_usd: 1,
        daily_usd: 20,
        per_pipeline: { "release-notes": { daily_usd: 5 } },
        per_tag: { drafts: { daily_usd: 1, monthly_usd: 10 } },
        alerts: [0.95, 0.5, 0.8, 0.5],
        time_zone: "Europe/Paris",
      }),
      {
        limits: { runUsd: 1, dailyUsd: 20, perPipeline: { "release-notes": { dailyUsd: 5 } }, perTag: { drafts: { dailyUsd: 1, monthlyUsd: 10 } } },
        alerts: [0.5, 0.8, 0.95],
        timeZone: "Europe/Paris",
      },
    );
    assert.deepEqual(ledgerSettingsOf(undefined), { limits: {}, alerts: [] });
  });

  it("are validated by the policy schema, with a position for a misspelt limit", async () => {
    const directory = writeProject({
      "policy.yaml": `${offlinePolicy()}budget:\n  per_pipeline: { release-notes: { daily_usd: 5 } }\n  per_tag:\n    drafts: { dayly_usd: 1 }\n`,
    });
    const file = path.join(directory, "policy.yaml");
    await assert.rejects(loadPolicyFile(file, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.diagnostics.length, 1);
      assert.match(error.message, /policy\.yaml:16:15 budget\.per_tag\.drafts\.dayly_usd: unknown key "dayly_usd".*did you mean "daily_usd"\?/);
      return true;
    });
  });
});

describe("per-pipeline limits", () => {
  it("refuse past the pipeline's daily limit, counted across its runs, and leave other pipelines alone", async () => {
    const store = await openStore(":memory:");
    const limits: BudgetLimits = { dailyUsd: 20, perPipeline: { "release-notes": { dailyUsd: 1 } } };
    assert.ok((await (await ledgerOf(store, limits, "release-notes", "run-a")).reserve(0.7)).ok);
    const refused = await (await ledgerOf(store, limits, "release-notes", "run-b")).reserve(0.4);
    assert.equal(refused.ok, false);
    assert.deepEqual(!refused.ok && { scope: refused.refusal.scope, subject: refused.refusal.subject }, {
      scope: "day",
      subject: { kind: "pipeline", name: "release-notes" },
    });
    assert.equal(!refused.ok && refused.refusal.reason, "worst case $0.40 exceeds the $0.30 left today for pipeline release-notes (limit $1)");
    assert.ok((await (await ledgerOf(store, limits, "triage")).reserve(0.4)).ok, "another pipeline has only the global limit");
  });

  it("lower what `left()` says is left today for that pipeline", async () => {
    const store = await openStore(":memory:");
    const ledger = await ledgerOf(store, { dailyUsd: 20, monthlyUsd: 100, perPipeline: { "release-notes": { dailyUsd: 1 } } });
    const reserved = await ledger.reserve(0.25);
    assert.ok(reserved.ok);
    assert.deepEqual(await ledger.left(), { day: 0.75, month: 99.75 });
  });
});

describe("per-tag limits", () => {
  it("count only reservations carrying the tag, across pipelines", async () => {
    const store = await openStore(":memory:");
    const limits: BudgetLimits = { perTag: { drafts: { dailyUsd: 0.5 } } };
    assert.ok((await (await ledgerOf(store, limits, "a")).reserve(0.3, { tags: ["drafts", "docs"] })).ok);
    assert.ok((await (await ledgerOf(store, limits, "b")).reserve(5, { tags: ["docs"] })).ok, "untagged spend does not count");
    const refused = await (await ledgerOf(store, limits, "b")).reserve(0.3, { tags: ["drafts"] });
    assert.equal(!refused.ok && refused.refusal.reason, "worst case $0.30 exceeds the $0.20 left today for tag drafts (limit $0.50)");
    assert.deepEqual(await (await ledgerOf(store, limits, "b")).left({ tags: ["drafts"] }), { day: 0.2 });
    assert.deepEqual(await (await ledgerOf(store, limits, "b")).left(), {});
  });

  it("apply monthly too, and free the difference on settle", async () => {
    const store = await openStore(":memory:");
    const ledger = await ledgerOf(store, { perTag: { drafts: { monthlyUsd: 1 } } });
    const first = await ledger.reserve(0.9, { tags: ["drafts"] });
    assert.ok(first.ok);
    assert.equal((await ledger.reserve(0.2, { tags: ["drafts"] })).ok, false);
    await ledger.settle(first.reservation, 0.1);
    assert.ok((await ledger.reserve(0.2, { tags: ["drafts"] })).ok);
    assert.deepEqual(await ledger.left({ tags: ["drafts"] }), { month: 0.7 });
  });
});
