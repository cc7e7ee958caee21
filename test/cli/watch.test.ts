import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

describe("orch run --watch", () => {
  it("runs, reruns on a prompt edit with a one-line summary, and stops cleanly on SIGINT", async () => {
    const directory = writeProject({
      "policy.yaml": offlinePolicy(),
      "a.eta": "First prompt.",
      "pipeline.yaml": `version: 1\nname: w\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: { file: a.eta }\n  b:\n    needs: [a]\n    prompt: "Then: <%= it.steps.a.output %>"\n`,
    });
    let stdout = "";
    let edited = false;
    const result = await runCliProcess(["run", "pipeline.yaml", "--watch", "--db", "state/orch.db", "--debounce", "100"], {
      cwd: directory,
      onSpawn: (child) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const reruns = (stdout.match(/^rerun /gm) ?? []).length;
          if (reruns >= 1 && !edited) {
            edited = true;
            writeFileSync(path.join(directory, "a.eta"), "Edited prompt.");
          }
          if (reruns >= 2) child.kill("SIGINT");
        });
        setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
      },
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const summaries = result.stdout.split("\n").filter((line) => line.startsWith("rerun "));
    assert.equal(summaries.length, 2, result.stdout);
    assert.match(summaries[0]!, /: 2 steps rerun, 0 cached · this rerun \$0\.\d+ · today \$0\.\d+$/);
    assert.match(summaries[1]!, /: 2 steps rerun, 0 cached/, "a's prompt changed, so b's input changed too");
    assert.match(result.stdout, /changed: a\.eta — revalidating/);
  });
});
