/**
 * A render is given the upstream outputs its templates read, and no other (issue 11): copying every
 * ancestor's output into every render made a long chain quadratic. A template that reads `it.steps`
 * whole still gets every upstream step.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { renderStepMessages, templateData, type UpstreamOutput } from "../../src/pipeline/render.js";
import { loadWorkspace } from "../../src/workspace/load-workspace.js";
import { offlinePolicy, writeProject } from "../support/project.js";

const pipeline = `version: 1
name: reads
policy: policy.yaml
steps:
  a:
    prompt: a
  b:
    needs: [a]
    prompt: b
  c:
    needs: [b]
    prompt: "From b: <%= it.steps.b.output %>"
    output: { file: "out/<%= it.steps.a.output %>.txt" }
  d:
    needs: [c]
    prompt: "<%= it.steps %>"
`;

async function load() {
  const directory = writeProject({ "policy.yaml": offlinePolicy(), "pipeline.yaml": pipeline });
  return (await loadWorkspace(path.join(directory, "pipeline.yaml"))).pipeline;
}

const outputs = new Map<string, UpstreamOutput>([
  ["a", { output: "alpha" }],
  ["b", { output: "beta" }],
  ["c", { output: "gamma" }],
]);

describe("what a render is given", () => {
  it("holds only the upstream steps its templates read (prompt, system and output path together)", async () => {
    const model = await load();
    const data = await templateData(model, model.steps.get("c")!, {}, outputs, {});
    assert.deepEqual(Object.keys(data.steps).sort(), ["a", "b"]);
    const messages = await renderStepMessages(model, model.steps.get("c")!, {}, outputs);
    assert.equal(messages.at(-1)?.content, "From b: beta");
  });

  it("holds every upstream step for a template that reads it.steps whole", async () => {
    const model = await load();
    const data = await templateData(model, model.steps.get("d")!, {}, outputs, {});
    assert.deepEqual(Object.keys(data.steps).sort(), ["a", "b", "c"]);
  });
});
