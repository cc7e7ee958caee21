/**
 * A provider in cool-down (three transient failures in a row, recorded in the database) is avoided
 * by runs for five minutes; the run says so as it happens, and `plan`, `route` and `providers`
 * read the same history, so none of them calls it kept or usable meanwhile.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const policy = `version: 1
providers:
  flaky:
    type: mock
    responses:
      - { error: { kind: server, message: "503 from upstream" } }
  steady: { type: mock }
models:
  first: { model: "flaky:m", prices: { input: 1, output: 2 } }
  second: { model: "steady:m", prices: { input: 1, output: 2 } }
tiers:
  economy: [first, second]
  standard: [first, second]
  premium: [first, second]
budget:
  time_zone: UTC
`;

const steps = Array.from({ length: 5 }, (_, index) => `  s${index}:\n    prompt: "Independent ${index}"`).join("\n");

describe("cool-downs are visible", () => {
  it("in the run's lines, and in plan, route --explain and providers afterwards", async () => {
    const directory = writeProject({ "pipeline.yaml": `version: 1\nname: cool\npolicy: policy.yaml\nsteps:\n${steps}\n`, "policy.yaml": policy });
    const db = path.join(directory, "state/orch.db");
    const run = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results"), "--concurrency", "1"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);

    // The end of the cool-down, worked out from the database by hand: the third failure plus five minutes, in UTC.
    const store = openSqliteStore(db);
    const failures = store.database.prepare("SELECT finished_at AS at FROM llm_calls WHERE provider = 'flaky' AND status = 'failed' ORDER BY finished_at").all() as { at: string }[];
    await store.close();
    assert.equal(failures.length, 3);
    const until = new Date(Date.parse(failures[2]!.at) + 5 * 60_000).toISOString().slice(11, 16);

    const skipped = run.stdout.split("\n").filter((line) => line.includes("passed over first: cooling"));
    assert.deepEqual(
      skipped.map((line) => line.replace(/\s+/g, " ")),
      ["s3", "s4"].map((step) => `↪ ${step} passed over first: cooling down until ${until} after repeated failures`),
    );

    const explained = await runCliInProcess(["route", "--policy", path.join(directory, "policy.yaml"), "--db", db, "--task", "chat", "--explain"]);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, new RegExp(`- +first \\(flaky:m\\) +dropped: cooling down until ${until} after repeated failures`));
    assert.match(explained.stdout, / 1\. +second \(steady:m\) +kept/);

    const routed = await runCliInProcess(["route", "--policy", path.join(directory, "policy.yaml"), "--db", db, "--task", "chat"]);
    assert.match(routed.stdout, /^route second \(steady:m\)/);
    assert.match(routed.stdout, new RegExp(`passed over first: cooling down until ${until}`));

    const plan = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--db", db]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(plan.stdout.split("\n").filter((line) => line.trim() === `dropped first: cooling down until ${until} after repeated failures`).length, 5);
    assert.equal(plan.stdout.split("\n").filter((line) => line.trim().startsWith("route second (steady:m)")).length, 5);

    const providers = await runCliInProcess(["providers", "--policy", path.join(directory, "policy.yaml"), "--db", db]);
    assert.match(providers.stdout, new RegExp(`flaky \\(mock.*\\n {4}cooling down until ${until}: its last 3 calls failed`));
    assert.doesNotMatch(providers.stdout, /steady[^\n]*\n {4}cooling down/);
    const json = JSON.parse((await runCliInProcess(["providers", "--policy", path.join(directory, "policy.yaml"), "--db", db, "--json"])).stdout);
    assert.equal(json.find((status: { id: string }) => status.id === "flaky").coolingDownUntil, new Date(Date.parse(failures[2]!.at) + 5 * 60_000).toISOString());
  });
});
