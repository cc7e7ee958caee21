/**
 * What a validator's environment is built from: the variables orch was started with and the
 * project's `.env` files, as for every other setting. A variable only in `.env` and named by
 * `output.pass_env` reaches the validator; one not named does not.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { mockPolicy, runPaths } from "../executor/support/run-project.js";

describe("validators and the project's .env", () => {
  it("pass a variable set only in .env to the validators that name it in pass_env, and no other", async () => {
    const seen = path.join(writeProject({}), "seen.txt");
    const directory = writeProject({
      ".env": "REPORT_BUCKET=s3://from-dotenv\nUNNAMED_SETTING=hidden-value\n",
      "policy.yaml": mockPolicy([`{ step: gen, text: "done" }`]),
      "pipeline.yaml": `version: 1
name: dotenv
policy: policy.yaml
steps:
  gen:
    prompt: "Write."
    output:
      file: out/gen.txt
      pass_env: [REPORT_BUCKET]
      validate: ['printf "%s|%s" "$REPORT_BUCKET" "$UNNAMED_SETTING" > ${seen}']
`,
    });
    // A process of its own, started in the project: the project (and its .env) is found from there.
    const result = await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory)], { cwd: directory });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    // The variable named came from .env; the other, not named, did not reach the validator.
    assert.equal(readFileSync(seen, "utf8"), "s3://from-dotenv|");
  });
});
