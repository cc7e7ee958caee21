/**
 * Ctrl-C in an interactive terminal behaves as it does piped: the run stops, its steps show as
 * interrupted (not failed), the resume line is printed and the exit code is 130. Driven through a
 * real pseudo-terminal, so the listr2 view is the one drawn.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { writeProject } from "../support/project.js";
import { findPtyTool, runCliInPty } from "../support/pty.js";
import { mockPolicy, openDatabase, runPaths } from "../executor/support/run-project.js";

const tool = findPtyTool();
const skip = tool === undefined ? "neither `script` (util-linux) nor python3 is installed: no pseudo-terminal to drive" : false;

/** Stripped of colours and cursor moves, so the text can be matched. */
const plain = (screen: string) => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");

function slowProject(): string {
  return writeProject({
    "pipeline.yaml": `version: 1\nname: slow\npolicy: policy.yaml\nsteps:\n  first: { prompt: "One." }\n  second: { needs: [first], prompt: "Two after <%= it.steps.first.output %>" }\n`,
    "policy.yaml": mockPolicy([]).replace("type: mock", "type: mock\n    latency_ms: 20000"),
  });
}

function runStatus(directory: string): { id: string; status: string; exit_code: number } {
  const database = openDatabase(directory);
  try {
    return database.prepare("SELECT id, status, exit_code FROM runs").get() as { id: string; status: string; exit_code: number };
  } finally {
    database.close();
  }
}

describe("orch run on a terminal: Ctrl-C", { skip }, () => {
  const cases = [
    // The header is printed just before the progress view is first drawn: listr2 has no frame yet.
    { moment: "as the run starts", trigger: /orch run\S* slow · run / },
    // A call is in flight: its progress line is on the screen.
    { moment: "while a call is in flight", trigger: /→ offline:cheap \(reserved/ },
  ];
  for (const { moment, trigger } of cases) {
    it(`${moment}: shows the steps interrupted, prints the resume line and exits 130`, async () => {
      const directory = slowProject();
      const result = await runCliInPty(tool!, ["run", "pipeline.yaml", ...runPaths(directory)], { cwd: directory, trigger });
      const screen = plain(result.screen);
      assert.ok(result.interrupted, `the trigger ${trigger} never showed:\n${screen}`);
      assert.equal(result.code, 130, screen);
      assert.doesNotMatch(screen, /TypeError|✖|\bat .*listr2/, "no crash, and no step drawn as failed");
      const run = runStatus(path.resolve(directory));
      assert.deepEqual([run.status, run.exit_code], ["interrupted", 130]);
      assert.match(screen, new RegExp(`resume with: orch run pipeline\\.yaml --resume ${run.id}`));
      assert.match(screen, /first +interrupted/);
      assert.match(screen, /Run \S+ interrupted .*\(exit 130\)/);
    });
  }
});
