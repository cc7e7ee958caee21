import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededDatabase } from "../executor/support/recorded-history.js";
import { runCliInProcess } from "../support/cli.js";

describe("orch tune", () => {
  it("finds the cheapest chain reaching what was recorded, checks it on held-out requests, prints a snippet", async () => {
    const db = seededDatabase();
    const { code, stdout, stderr } = await runCliInProcess(["tune", "--db", db, "--json"]);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    // Items 3 and 7 are held out. Training: items 0, 1, 2, 4, 5, 6, all accepted as recorded, so the
    // target is 100%. cheap alone passes 4 of 6; mid alone passes 2 for sure and the 4 others at
    // an estimate below 1; cheap → mid passes all 6, exactly, for 6 × $0.001 + 2 × $0.01 = $0.026.
    assert.deepEqual(summary.chain, ["openai:cheap", "openai:mid"]);
    assert.equal(summary.targetPassRate, 1);
    assert.equal(summary.training.tuned.passRate, 1);
    assert.ok(Math.abs(summary.training.tuned.costUsd - 0.026) < 1e-12);
    assert.equal(summary.training.tuned.exactUnits, 6);
    assert.equal(summary.validation.tuned.units, 2);
    assert.ok(Math.abs(summary.validation.tuned.costUsd - 0.022) < 1e-12);

    const text = await runCliInProcess(["tune", "--db", db]);
    assert.match(text.stdout, /openai:cheap → openai:mid/);
    assert.match(text.stdout, /    use: \[openai:cheap, openai:mid\]/);
  });

  it("needs a few recorded requests, and says how to get them", async () => {
    const { code, stderr } = await runCliInProcess(["tune", "--db", seededDatabase(2)]);
    assert.equal(code, 2);
    assert.match(stderr, /2 recorded requests with a verdict since 30d; at least 4 are needed/);
    assert.match(stderr, /run pipelines first, or widen --since/);
  });

  it("refuses a target that is not a rate", async () => {
    const { code, stderr } = await runCliInProcess(["tune", "--db", seededDatabase(), "--target-pass-rate", "80"]);
    assert.equal(code, 2);
    assert.match(stderr, /--target-pass-rate: "80" is not a rate/);
  });
});
