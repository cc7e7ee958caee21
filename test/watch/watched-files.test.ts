import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { watchSetOf } from "../../src/watch/watched-files.js";
import { loadWorkspace } from "../../src/workspace/load-workspace.js";
import { mockPolicy } from "../executor/support/run-project.js";
import { writeProject } from "../support/project.js";

describe("the watch set", () => {
  it("holds the data file of a for_each over rows, so an edited row reruns the step", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: w\npolicy: policy.yaml\nsteps:\n  each:\n    for_each: { rows: data/tasks.csv }\n    prompt: "Task <%= it.item.id %>"\n`,
      "data/tasks.csv": "id\n1\n",
      "policy.yaml": mockPolicy(),
    });
    const workspace = await loadWorkspace(path.join(directory, "pipeline.yaml"), { env: {} });
    assert.ok(watchSetOf(workspace).inputs.has(path.join(directory, "data/tasks.csv")));
  });
});
