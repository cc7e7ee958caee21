/**
 * After a SIGKILL at any point of a run, `--resume` leaves a complete results folder: every step's
 * JSON, a run.json that agrees with SQLite, every output file, no half-written file. The CLI runs as
 * a real process and kills itself at an exact file write (test/support/kill-at-write.ts), so each
 * dangerous moment is hit every time instead of in 2 runs out of 30.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, openDatabase, runPaths } from "../executor/support/run-project.js";

const pipeline = `version: 1
name: folder
policy: policy.yaml
steps:
  plan:
    prompt: "List modules."
    output: { format: json }
  write:
    needs: [plan]
    for_each: { items: steps.plan.json }
    prompt: "Write module <%= it.item %>."
    output: { file: "out/<%= it.item %>.txt" }
  summary:
    needs: [write]
    prompt: "Summarise <%= it.steps.write.outputs.length %> modules."
    output: { file: out/summary.txt }
  last:
    needs: [summary]
    prompt: "Last words."
`;
const steps = ["plan", "write", "summary", "last"];

/** Where the CLI dies, and why that moment matters. */
const killPoints: { at: string; moment: string }[] = [
  { at: "write:plan.json", moment: "a step committed to SQLite, its JSON not yet written" },
  { at: "rename:write.json", moment: "a for_each step's JSON written to its temporary file, not renamed" },
  { at: "write:summary.txt", moment: "an accepted answer's output file about to be written, its step not committed" },
  { at: "rename:beta.txt", moment: "an item's output file half-way, its for_each step not committed" },
  { at: "rename:last.json", moment: "the last step committed, its JSON half-way" },
  { at: "write:run.json", moment: "every step done, run.json not written" },
];

function stepRows(directory: string): { step: string; status: string; output: string | null }[] {
  const database = openDatabase(directory);
  try {
    return database.prepare("SELECT step, status, output FROM step_executions ORDER BY id").all() as { step: string; status: string; output: string | null }[];
  } finally {
    database.close();
  }
}

function runRow(directory: string): { id: string; status: string; results_directory: string } {
  const database = openDatabase(directory);
  try {
    const rows = database.prepare("SELECT id, status, results_directory FROM runs").all() as { id: string; status: string; results_directory: string }[];
    assert.equal(rows.length, 1, "a resumed run keeps its id");
    return rows[0]!;
  } finally {
    database.close();
  }
}

describe("orch run --resume after a SIGKILL: the results folder", () => {
  for (const point of killPoints) {
    it(`is complete after a kill when ${point.moment} (${point.at})`, async () => {
      const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": mockPolicy([`{ step: plan, text: '["alpha", "beta"]' }`]) });
      const base = ["run", "pipeline.yaml", ...runPaths(directory), "--json"];
      const killed = await runCliProcess(base, { cwd: directory, env: { ORCH_TEST_KILL_AT: point.at } });
      assert.equal(killed.code, 128, `the run died by its signal at ${point.at}: ${killed.stderr}`);
      assert.ok(!jsonEvents(killed.stdout).some((event) => event.type === "run-end"), "it never reached its end");

      const resumed = await runCliProcess([...base, "--resume"], { cwd: directory });
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout.slice(-2000));

      const run = runRow(directory);
      assert.equal(run.status, "succeeded");
      const folder = run.results_directory;
      const files = readdirSync(folder).sort();
      assert.deepEqual(files, ["last.json", "plan.json", "run.json", "summary.json", "write.json"], "one JSON per step and run.json, nothing half-written");

      const summary = JSON.parse(readFileSync(path.join(folder, "run.json"), "utf8"));
      assert.equal(summary.runId, run.id);
      assert.equal(summary.status, "succeeded");
      assert.deepEqual(summary.steps, Object.fromEntries(steps.map((step) => [step, "succeeded"])));

      const rows = new Map(stepRows(directory).map((row) => [row.step, row]));
      for (const step of steps) {
        const result = JSON.parse(readFileSync(path.join(folder, `${step}.json`), "utf8"));
        assert.equal(result.step, step);
        assert.equal(rows.get(step)!.status, "succeeded");
        assert.equal(result.status, "succeeded", `${step}.json agrees with SQLite`);
        if (step !== "write") assert.equal(result.output, rows.get(step)!.output, `${step}.json holds the output SQLite kept`);
      }
      const write = JSON.parse(readFileSync(path.join(folder, "write.json"), "utf8"));
      assert.deepEqual(write.items.map((item: { item: string; status: string }) => [item.item, item.status]), [["alpha", "succeeded"], ["beta", "succeeded"]]);

      for (const file of ["alpha.txt", "beta.txt", "summary.txt"]) assert.ok(existsSync(path.join(directory, "out", file)), `out/${file} is there`);
      assert.match(readFileSync(path.join(directory, "out/beta.txt"), "utf8"), /Write module beta/);

      // Nothing was paid twice to get there.
      const paid = callRows(directory, "status = 'succeeded'").map((call) => `${call.step}#${call.item_index ?? ""}`);
      assert.deepEqual(paid.sort(), ["last#", "plan#", "summary#", "write#0", "write#1"]);
    });
  }

  it("is resumed from another folder: the run keeps its results folder, and `latest` beside it points at it", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": mockPolicy([`{ step: plan, text: '["alpha", "beta"]' }`]) });
    const database = ["--db", path.join(directory, "state/orch.db")];
    const killed = await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory), "--json"], { cwd: directory, env: { ORCH_TEST_KILL_AT: "write:run.json" } });
    assert.equal(killed.code, 128, killed.stderr);
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), "orch-resume-elsewhere-"));
    const resumed = await runCliProcess(["run", path.join(directory, "pipeline.yaml"), ...database, "--resume", "--json"], { cwd: elsewhere });
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout.slice(-2000));
    const run = runRow(directory);
    assert.equal(run.status, "succeeded");
    assert.equal(path.dirname(path.dirname(run.results_directory)), path.join(directory, "results"), "the folder the run was given");
    assert.equal(path.resolve(path.join(directory, "results"), readlinkSync(path.join(directory, "results", "latest"))), run.results_directory);
    assert.deepEqual(readdirSync(elsewhere), [], "nothing written where the resume was typed");
  });

  it("replaces a step file left by an earlier failed attempt when the step then succeeded and the kill came before its file", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: twice\npolicy: policy.yaml\nsteps:\n  a: { prompt: "A." }\n  b: { needs: [a], prompt: "B after <%= it.steps.a.output %>" }\n`,
      "policy.yaml": mockPolicy([`{ step: b, error: { kind: bad_request, message: "not today" } }`]),
      "fixed.yaml": mockPolicy([]),
    });
    const base = ["run", "pipeline.yaml", ...runPaths(directory), "--json"];
    const failed = await runCliProcess(base, { cwd: directory });
    assert.equal(failed.code, 1, failed.stderr);
    const folder = runRow(directory).results_directory;
    assert.equal(JSON.parse(readFileSync(path.join(folder, "b.json"), "utf8")).status, "failed");

    const fixed = [...base, "--policy", path.join(directory, "fixed.yaml"), "--resume"];
    const killed = await runCliProcess(fixed, { cwd: directory, env: { ORCH_TEST_KILL_AT: "write:b.json" } });
    assert.equal(killed.code, 128, killed.stderr);
    assert.equal(stepRows(directory).find((row) => row.step === "b")!.status, "succeeded", "b was committed before the kill");

    const resumed = await runCliProcess(fixed, { cwd: directory });
    assert.equal(resumed.code, 0, resumed.stderr);
    const b = JSON.parse(readFileSync(path.join(folder, "b.json"), "utf8"));
    assert.equal(b.status, "succeeded", "b.json is the committed success, not the earlier failure");
    assert.equal(b.output, stepRows(directory).find((row) => row.step === "b")!.output);
    assert.equal(JSON.parse(readFileSync(path.join(folder, "run.json"), "utf8")).status, "succeeded");
  });
});
