import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess, temporaryDirectory } from "../support/cli.js";
import { recordedDatabase, seededDatabase } from "../executor/support/recorded-history.js";

function policyFile(extra: string): string {
  const file = path.join(temporaryDirectory(), "policy.yaml");
  writeFileSync(
    file,
    `version: 1
providers:
  openai: { type: openai, api_key_env: OPENAI_API_KEY }
models:
  cheap: { model: "openai:cheap", prices: { input: 1, output: 2 } }
  mid: { model: "openai:mid", prices: { input: 3, output: 6 } }
tiers:
  economy: [cheap]
  standard: [cheap, mid]
  premium: [mid]
${extra}`,
  );
  return file;
}

// The record (see seededDatabase): 8 requests of step gen; cheap ($0.001) accepted on the even ones,
// rejected on the odd ones, where mid ($0.01) was then accepted. As recorded: 8 of 8, $0.048.
describe("orch backtest", () => {
  it("replays exactly where the policy's models were recorded, and estimates the rest", async () => {
    const policy = policyFile("rules:\n  - { name: only-mid, use: [mid] }\n");
    const { code, stdout, stderr } = await runCliInProcess(["backtest", policy, "--db", seededDatabase(), "--json"]);
    assert.equal(code, 0, stderr);
    const { total, steps } = JSON.parse(stdout);
    // Odd requests: mid recorded, accepted, exact ($0.01 each). Even ones: mid never asked there, so
    // estimated: on a fresh request every model passed 4 of 8 → (4 + 1)/(8 + 2) = 50%, but mid's own
    // record after a rejection, 4 of 4 → (4 + 1)/(4 + 2) = 5/6, is its floor; at its average $0.01.
    assert.equal(total.units, 8);
    assert.equal(total.recordedPassed, 8);
    // Exactly, not within a tolerance: 4 × 1,000,000 + 4 × (1,000,000 + 10,000,000) nano-dollars,
    // summed as integers (summed as floats it printed 0.048000000000000001-like noise).
    assert.equal(total.recordedCostUsd, 0.048);
    assert.equal(total.exactUnits, 4);
    assert.ok(Math.abs(total.passed - (4 + 4 * (5 / 6))) < 1e-9);
    assert.equal(total.costUsd, 0.08, "4 exact × $0.01 + 4 expected at mid's average $0.01");
    assert.deepEqual(steps.map((step: { step: string }) => step.step), ["gen"]);
  });

  it("applies the policy's stopping rule to the recorded rejections", async () => {
    const policy = policyFile("value_usd: 0.000001\nrules:\n  - { name: cascade, use: [cheap, mid] }\n");
    const { code, stdout } = await runCliInProcess(["backtest", policy, "--db", seededDatabase(), "--json"]);
    assert.equal(code, 0);
    const { total } = JSON.parse(stdout);
    // After cheap's rejection mid is not worth $0.000001: the odd requests stop there.
    assert.deepEqual([total.passed, total.exactUnits], [4, 8]);
    assert.equal(total.costUsd, 0.008, "8 × cheap's $0.001");
    const text = await runCliInProcess(["backtest", policy, "--db", seededDatabase()]);
    assert.match(text.stdout, /as recorded   pass rate 100%  cost \$0\.0480/);
    assert.match(text.stdout, /under policy  pass rate  50%  cost \$0\.0080 \(-83% cost\)/);
  });

  it("sums recorded and replayed costs in whole nano-dollars, converted once", async () => {
    const policy = policyFile("rules:\n  - { name: only-cheap, use: [cheap] }\n");
    // Two requests, cheap accepted on both, at $0.00001 and $0.00002: 10,000 + 20,000 = 30,000
    // nano-dollars = $0.00003. Added as floats they make 0.000030000000000000004.
    const db = recordedDatabase([
      { item: 0, model: "cheap", costUsd: 0.00001, accepted: true },
      { item: 1, model: "cheap", costUsd: 0.00002, accepted: true },
    ]);
    const { code, stdout, stderr } = await runCliInProcess(["backtest", policy, "--db", db, "--json"]);
    assert.equal(code, 0, stderr);
    const { total, steps } = JSON.parse(stdout);
    assert.deepEqual([total.recordedCostUsd, total.costUsd, total.exactUnits], [0.00003, 0.00003, 2]);
    assert.deepEqual(steps.map((step: { recordedCostUsd: number; costUsd: number }) => [step.recordedCostUsd, step.costUsd]), [[0.00003, 0.00003]]);
  });

  it("asks for the policy", async () => {
    const { code, stderr } = await runCliInProcess(["backtest"]);
    assert.equal(code, 2);
    assert.match(stderr, /which policy\? give its file/);
  });

  it("replays the runs named, or says there is nothing to replay", async () => {
    const policy = policyFile("rules:\n  - { name: only-mid, use: [mid] }\n");
    const db = seededDatabase();
    const named = JSON.parse((await runCliInProcess(["backtest", policy, "--db", db, "--runs", "r1", "--json"])).stdout);
    assert.equal(named.total.units, 8);
    const other = await runCliInProcess(["backtest", policy, "--db", db, "--runs", "nope"]);
    assert.match(other.stdout, /no recorded request with a verdict in runs nope: nothing to replay/);
    const both = await runCliInProcess(["backtest", policy, "--db", db, "--runs", "r1", "--since", "1d"]);
    assert.equal(both.code, 2);
  });
});
