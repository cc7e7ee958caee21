/**
 * Resume and interruption with the CLI as a real process: SIGKILL at random moments of a 20-step
 * run, then `--resume` until it completes; Ctrl-C (SIGINT) mid-call.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliProcess, runCliInProcess, type CliResult } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, openDatabase, openReservations, runPaths } from "../executor/support/run-project.js";

/**
 * Twenty steps in two interleaved chains, so two calls are usually in flight. Each output waits
 * 120ms in a validator after its call was recorded: a kill often lands between a paid call and
 * the end of its step, the moment where paying twice would happen.
 */
function twentySteps(): string {
  const steps = Array.from({ length: 20 }, (_, index) => {
    const name = `s${String(index + 1).padStart(2, "0")}`;
    const need = index >= 2 ? `s${String(index - 1).padStart(2, "0")}` : undefined;
    return [
      `  ${name}:`,
      ...(need ? [`    needs: [${need}]`] : []),
      `    prompt: "Step ${index + 1}${need ? ` after: <%= it.steps.${need}.output.slice(0, 40) %>` : ""}"`,
      `    output: { file: out/${name}.txt, validate: [[sleep, "0.12"]] }`,
    ].join("\n");
  });
  return `version: 1\nname: twenty\npolicy: policy.yaml\nconcurrency: 2\nsteps:\n${steps.join("\n")}\n`;
}

interface KillPoint {
  /** Counted from this event of the child's `--json` output… */
  event: "attempt-start" | "attempt-end";
  /** …its n-th occurrence… */
  count: number;
  /** …plus this delay. */
  delayMs: number;
}

/** Starts the CLI and SIGKILLs it at the kill point (if it is still running then). */
function runAndKill(args: string[], cwd: string, point: KillPoint): Promise<CliResult & { killed: boolean }> {
  let killed = false;
  let armed = false;
  return runCliProcess(args, {
    cwd,
    onSpawn: (child: ChildProcess) => {
      let seen = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        if (armed) return;
        seen += chunk.toString();
        if (seen.split(`"type":"${point.event}"`).length - 1 < point.count) return;
        armed = true;
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            killed = true;
            child.kill("SIGKILL");
          }
        }, point.delayMs);
      });
    },
  }).then((result) => ({ ...result, killed }));
}

describe("orch run: resume and interruption", () => {
  it("resumes a 20-step run killed with SIGKILL at random moments without paying twice for a completed call", async () => {
    // 150ms a call plus 120ms of checks, two at a time: a whole run takes about 2.7s from its first
    // call. The first kill lands right after a call was recorded (while its output is checked);
    // the others at random moments up to 600ms after a round's first call, so each round is
    // killed part-way.
    const directory = writeProject({ "pipeline.yaml": twentySteps(), "policy.yaml": mockPolicy([]).replace("type: mock", "type: mock\n    latency_ms: 150") });
    const base = ["run", "pipeline.yaml", ...runPaths(directory), "--json"];
    const points: KillPoint[] = [
      { event: "attempt-end", count: 3, delayMs: 0 },
      ...Array.from({ length: 3 }, () => ({ event: "attempt-start" as const, count: 1, delayMs: Math.floor(Math.random() * 600) })),
    ];
    const delays = points.map((point) => `${point.event}#${point.count}+${point.delayMs}ms`).join(", ");
    let kills = 0;
    let finished = false;
    for (const [round, point] of points.entries()) {
      const result = await runAndKill(round === 0 ? base : [...base, "--resume"], directory, point);
      if (!result.killed) {
        assert.equal(result.code, 0, `round ${round} (delays ${delays}) ended on its own: ${result.stderr}`);
        finished = true;
        break;
      }
      kills++;
      const database = openDatabase(directory);
      assert.equal(database.pragma("integrity_check", { simple: true }), "ok", `after kill ${round} (${delays})`);
      database.close();
    }
    assert.ok(kills >= 3, `killed ${kills} times (${delays})`);
    if (!finished) {
      const final = await runCliProcess([...base, "--resume"], { cwd: directory });
      assert.equal(final.code, 0, `delays ${delays}: ${final.stderr}${final.stdout.slice(-2000)}`);
    }

    const database = openDatabase(directory);
    assert.equal(database.pragma("integrity_check", { simple: true }), "ok");
    const runs = database.prepare("SELECT id, status, resume_count AS resumes FROM runs").all() as { id: string; status: string; resumes: number }[];
    database.close();
    assert.equal(runs.length, 1, "a resumed run keeps its id");
    assert.equal(runs[0]!.status, "succeeded");
    const paid = callRows(directory, "status = 'succeeded'");
    const perCall = new Map<string, number>();
    for (const call of paid) perCall.set(`${call.step} ${call.cache_key}`, (perCall.get(`${call.step} ${call.cache_key}`) ?? 0) + 1);
    const twice = [...perCall].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], `a completed call was paid twice (delays ${delays})`);
    assert.equal(paid.length, 20, `every step was paid exactly once (delays ${delays})`);
    assert.equal(new Set(paid.map((call) => call.step)).size, 20);
    for (let index = 1; index <= 20; index++) assert.ok(existsSync(path.join(directory, `out/s${String(index).padStart(2, "0")}.txt`)));
    assert.equal(openReservations(directory), 0, "nothing is left reserved");
  });

  it("on Ctrl-C aborts the call in flight, releases its reservation, says how to resume and exits 130; --resume finishes", async () => {
    const slow = mockPolicy([]).replace("type: mock", "type: mock\n    latency_ms: 5000");
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: slow\npolicy: policy.yaml\nsteps:\n  first: { prompt: "One." }\n  second: { needs: [first], prompt: "Two after <%= it.steps.first.output %>" }\n`,
      "policy.yaml": slow,
      "fast.yaml": mockPolicy([]),
    });
    const started = Date.now();
    const interrupted = await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory), "--json"], {
      cwd: directory,
      onSpawn: (child) => {
        let seen = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('"attempt-start"') && !child.killed) child.kill("SIGINT");
        });
      },
    });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.ok(Date.now() - started < 5000 + 4000, "the call was aborted, not waited for");
    const runId = jsonEvents(interrupted.stdout).find((event) => event.type === "run-start")!;
    assert.ok(runId.type === "run-start");
    assert.match(interrupted.stderr, new RegExp(`resume with: orch run pipeline\\.yaml --resume ${runId.runId}`));
    assert.equal(openReservations(directory), 0, "no reservation is left behind");
    const database = openDatabase(directory);
    const ledger = database.prepare("SELECT status FROM budget_reservations").all() as { status: string }[];
    database.close();
    assert.deepEqual(ledger.map((row) => row.status), ["released"], "the aborted call used nothing, so its worst case was given back");
    assert.deepEqual(callRows(directory).map((call) => [call.step, call.status]), [["first", "failed"]]);
    const summary = JSON.parse(readFileSync(path.join(directory, "results/latest/run.json"), "utf8"));
    assert.deepEqual(summary.steps, { first: "cancelled", second: "skipped" });

    const resumed = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--policy", path.join(directory, "fast.yaml"), "--resume", runId.runId]);
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
    assert.match(resumed.stdout, new RegExp(`run ${runId.runId}`));
  });

  it("reuses the steps a failed run completed, and runs the failed one and its dependents again", async () => {
    const pipeline = `version: 1\nname: partial\npolicy: policy.yaml\nsteps:\n  a: { prompt: "A." }\n  b: { needs: [a], prompt: "B after <%= it.steps.a.output %>" }\n  c: { needs: [b], prompt: "C after <%= it.steps.b.output %>" }\n`;
    const directory = writeProject({
      "pipeline.yaml": pipeline,
      "policy.yaml": mockPolicy([`{ step: b, error: { kind: bad_request, message: "not today" } }`]),
      "fixed.yaml": mockPolicy([]),
    });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"];
    const failed = await runCliInProcess(args);
    assert.equal(failed.code, 1);
    const resumed = await runCliInProcess([...args, "--policy", path.join(directory, "fixed.yaml"), "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const ends = jsonEvents(resumed.stdout).filter((event) => event.type === "step-end");
    assert.deepEqual(ends.map((event) => event.type === "step-end" && [event.step, event.status, event.reused === true]), [
      ["a", "succeeded", true],
      ["b", "succeeded", false],
      ["c", "succeeded", false],
    ]);
    assert.deepEqual(callRows(directory).map((call) => [call.step, call.attempt, call.status]), [
      ["a", 1, "succeeded"],
      ["b", 1, "failed"],
      ["b", 2, "failed"],
      ["b", 3, "succeeded"],
      ["c", 1, "succeeded"],
    ]);
    const again = await runCliInProcess([...args, "--resume"]);
    assert.equal(again.code, 2, "nothing is left to resume");
    assert.match(again.stderr, /no unfinished run of .*pipeline\.yaml to resume/);
    const withInputs = await runCliInProcess([...args, "--resume", "--set", "x=1"]);
    assert.match(withInputs.stderr, /--set cannot be combined with --resume/);
  });
});
