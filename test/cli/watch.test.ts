import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { offlinePolicy, writeProject } from "../support/project.js";
import { driveWatch, rerunLines, twoStepWatchProject, watchArguments } from "./support/watch-driver.js";

describe("orch run --watch", () => {
  it("runs, reruns on a prompt edit with a one-line summary, and stops cleanly on SIGINT", async () => {
    const { directory, editPrompt } = twoStepWatchProject();
    const result = await driveWatch({ cwd: directory, args: watchArguments, edits: [editPrompt] });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const summaries = rerunLines(result.stdout);
    assert.equal(summaries.length, 2, result.stdout);
    assert.match(summaries[0]!, /: 2 steps rerun, 0 cached · this rerun \$0\.\d+ · today \$0\.\d+$/);
    assert.match(summaries[1]!, /: 2 steps rerun, 0 cached/, "a's prompt changed, so b's input changed too");
    assert.match(result.stdout, /changed: a\.eta — revalidating/);
  });
});

describe("orch watch: failures and the files checks read", () => {
  it("reports failed steps and rejected checks in the rerun line, and reruns when a schema or a validator script changes", async () => {
    const directory = writeProject({
      "policy.yaml": offlinePolicy(`    responses:\n      - { step: a, text: '{"y": 1}' }`),
      "schema.json": `{ "type": "object", "required": ["x"] }`,
      "checks/check.sh": "echo 'too short'\nexit 3\n",
      "pipeline.yaml": `version: 1
name: w
policy: policy.yaml
steps:
  a:
    quality: economy
    output: { format: json, schema: schema.json }
    prompt: "Give JSON."
  b:
    quality: economy
    output: { validate: ["sh checks/check.sh"] }
    prompt: "Say something."
  c:
    quality: economy
    prompt: "Fine."
`,
    });
    const result = await driveWatch({
      cwd: directory,
      args: ["run", "pipeline.yaml", "--watch", "--db", "state/orch.db", "--debounce", "100", "--concurrency", "1"],
      env: { ORCH_WATCH_POLLING: "1" },
      edits: [
        () => writeFileSync(path.join(directory, "schema.json"), `{ "type": "object", "required": ["y"] }`),
        () => writeFileSync(path.join(directory, "checks/check.sh"), "exit 0\n"),
      ],
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /^watching 4 files \(Ctrl-C stops\): checks\/check\.sh, pipeline\.yaml, policy\.yaml, schema\.json/m);
    const summaries = rerunLines(result.stdout);
    assert.equal(summaries.length, 3, result.stdout);
    assert.match(summaries[0]!, /: 1 step rerun, 0 cached, 2 failed \(a, b\) · checks rejected 2 answers: a: the JSON does not match output\.schema: the answer is missing "x"; b: validate sh checks\/check\.sh: exit 3 · this rerun /);
    assert.match(result.stdout, /changed: schema\.json — revalidating/);
    assert.match(summaries[1]!, /: 1 step rerun, 1 cached, 1 failed \(b\) · checks rejected 1 answer: b: validate sh checks\/check\.sh: exit 3 · this rerun /);
    assert.match(result.stdout, /changed: checks\/check\.sh — revalidating/);
    assert.match(summaries[2]!, /: 1 step rerun, 2 cached · this rerun /);
  });
});
