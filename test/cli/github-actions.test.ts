import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";
import { mockPolicy, runPaths } from "../executor/support/run-project.js";

const gitHub = (directory: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: directory, ...extra });

describe("GitHub Actions: config errors as annotations", () => {
  it("prints one ::error per diagnostic with file, line and column, message escaped, besides the normal message", async () => {
    const directory = writeProject({
      "policy.yaml": offlinePolicy(),
      "pipelines/p.yaml": `version: 1\nname: p\npolicy: ../policy.yaml\nsteps:\n  collect:\n    prompt: hi\n  draft:\n    needs: [colect]\n    prompt: x\n`,
    });
    const result = await runCliInProcess(["validate", path.join(directory, "pipelines/p.yaml")], gitHub(directory));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /p\.yaml:8:13 error steps\.draft\.needs\[0\]: unknown step "colect"/, "the normal message stays");
    const annotations = result.stdout.split("\n").filter((line) => line.startsWith("::error"));
    assert.deepEqual(annotations, [
      `::error file=pipelines/p.yaml,line=8,col=13,title=orch config error::steps.draft.needs[0]: unknown step "colect" — did you mean "collect"?`,
    ]);
  });

  it("escapes what the runner would read as syntax (commas and colons in properties, newlines in the message)", async () => {
    const { errorAnnotation } = await import("../../src/cli/github-actions.js");
    const line = errorAnnotation({ file: "a,b:c.yaml", line: 1, column: 2, path: "", message: "50% off\nnext" }, {});
    assert.equal(line, "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=orch config error::50%25 off%0Anext");
  });

  it("prints no annotation outside GitHub Actions", async () => {
    const directory = writeProject({ "policy.yaml": offlinePolicy(), "p.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    needs: [b]\n    prompt: x\n` });
    const result = await runCliInProcess(["validate", path.join(directory, "p.yaml")]);
    assert.equal(result.code, 2);
    assert.doesNotMatch(result.stdout, /::error/);
  });
});

describe("GitHub Actions: job summary", () => {
  it("appends a Markdown summary: steps, models, cost, budget left, overruns, results and the workflow run", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: ci-summary\npolicy: policy.yaml\nsteps:\n  draft:\n    prompt: "Draft it."\n  review:\n    needs: [draft]\n    quality: premium\n    prompt: "Review <%= it.steps.draft.output %>"\n`,
      "policy.yaml": mockPolicy([], "budget:\n  run_usd: 1\n  daily_usd: 20\n"),
    });
    const summaryFile = path.join(directory, "summary.md");
    writeFileSync(summaryFile, "earlier step's section\n");
    const env = gitHub(directory, { GITHUB_STEP_SUMMARY: summaryFile, GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "42" });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)], env);
    assert.equal(result.code, 0, result.stderr);
    const summary = readFileSync(summaryFile, "utf8");
    assert.ok(summary.startsWith("earlier step's section\n"), "appended, not overwritten");
    assert.match(summary, /^### orch run `ci-summary`: succeeded \(exit 0\)$/m);
    assert.match(summary, /^\| draft \| ✅ succeeded \| offline:cheap \(mock\) \| \$\d/m);
    assert.match(summary, /^\| review \| ✅ succeeded \| offline:dear \(mock\) \| \$\d/m);
    assert.match(summary, /\*\*Budget left\*\*/);
    const runRow = /^\| run \d{8}-\d{6}-[0-9a-f]{6} \| \$1 \| \$([\d.]+) \| \$([\d.]+) \|$/m.exec(summary);
    assert.ok(runRow, summary);
    const [spent, left] = [Number(runRow[1]), Number(runRow[2])];
    assert.ok(spent > 0, "the run's mock spend counts in its run budget");
    assert.ok(Math.abs(spent + left - 1) <= 0.005, "left is the limit less what was spent (to the cent)");
    // Mock money counts in its run only: the day shows its limit with nothing real spent.
    assert.match(summary, /^\| day \d{4}-\d{2}-\d{2} \| \$20 \| \$0 \| \$20\.00 \|$/m);
    assert.match(summary, /\*\*Overruns\*\*: none\./);
    assert.match(summary, /\*\*Results\*\*: `.*results\/[^`]+\/` .*\[workflow run\]\(https:\/\/github\.com\/acme\/app\/actions\/runs\/42\)/);
  });

  it("writes nothing without GITHUB_ACTIONS", async () => {
    const directory = writeProject({ "pipeline.yaml": `version: 1\nname: quiet\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: "x"\n`, "policy.yaml": mockPolicy() });
    const summaryFile = path.join(directory, "summary.md");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)], { GITHUB_STEP_SUMMARY: summaryFile });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(summaryFile), false);
  });
});
