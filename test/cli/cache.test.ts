import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";
import { openDatabase, runPaths } from "../executor/support/run-project.js";

const pipeline = `version: 1
name: stats
policy: policy.yaml
steps:
  one: { prompt: "First." }
  two: { prompt: "Second." }
`;

describe("orch cache", () => {
  it("shows entries, hits and savings, and clears entries older than a duration, then all", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": offlinePolicy() });
    const db = path.join(directory, "state/orch.db");
    const run = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)];
    assert.equal((await runCliInProcess(run)).code, 0);
    assert.equal((await runCliInProcess(run)).code, 0);

    const stats = await runCliInProcess(["cache", "stats", "--db", db, "--json"]);
    assert.equal(stats.code, 0, stats.stderr);
    const figures = JSON.parse(stats.stdout);
    assert.equal(figures.entries, 2);
    assert.equal(figures.reusable, 2);
    assert.equal(figures.hits, 2);
    assert.ok(figures.savedUsd > 0);
    assert.match((await runCliInProcess(["cache", "stats", "--db", db])).stdout, /hits +2, which saved \$0\.\d+/);

    // Age one entry by ten days: `--older-than 7d` removes it alone.
    const database = openDatabase(directory);
    database.prepare("UPDATE cached_answers SET created_at = ? WHERE id = (SELECT MIN(id) FROM cached_answers)").run(new Date(Date.now() - 10 * 86_400_000).toISOString());
    database.close();
    const older = await runCliInProcess(["cache", "clear", "--older-than", "7d", "--db", db]);
    assert.equal(older.code, 0);
    assert.match(older.stdout, /removed 1 cached answer older than 7d/);
    const all = await runCliInProcess(["cache", "clear", "--db", db]);
    assert.match(all.stdout, /removed 1 cached answer from/);
    assert.equal(JSON.parse((await runCliInProcess(["cache", "stats", "--db", db, "--json"])).stdout).entries, 0);
  });

  it("rejects an unknown action and a malformed duration (exit 2)", async () => {
    const db = path.join(writeProject({}), "orch.db");
    const unknown = await runCliInProcess(["cache", "purge", "--db", db]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown action "purge": stats or clear/);
    const bad = await runCliInProcess(["cache", "clear", "--older-than", "soon", "--db", db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--older-than expects a duration/);
  });
});
