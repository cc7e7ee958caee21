/**
 * `orch diff`: two runs of one pipeline against the fake server, the second with another input
 * and a policy whose prices swap the route. Figures by hand: one token per word, $1/$2 per
 * million tokens for the model in use.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { runPaths } from "../executor/support/run-project.js";

const policy = (cheapPrices: string, dearPrices: string) => `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  cheap: { model: "openai:gpt-4o-mini", prices: ${cheapPrices} }
  dear: { model: "openai:gpt-4o", prices: ${dearPrices} }
  same: { model: "openai:gpt-4.1-mini", prices: { input: 1, output: 2 } }
tiers: { economy: [cheap], standard: [cheap, dear], premium: [dear] }
`;
const low = "{ input: 1, output: 2 }";
const high = "{ input: 1000, output: 2000 }";

const pipeline = `version: 1
name: notes
policy: policy.yaml
inputs:
  topic: { default: "release notes" }
steps:
  summary:
    prompt: "Summarise <%= it.inputs.topic %> in one line."
    max_tokens: 100
    max_cost_usd: 0.01
    retries: 1
    output:
      file: out/summary.txt
      validate: ['grep -q OK "$ORCH_FILE"']
  title:
    needs: [summary]
    prompt: "Title for: <%= it.steps.summary.output %>"
    max_tokens: 100
    max_cost_usd: 0.01
  static:
    model: same
    prompt: "Say OK."
`;

/** Lines compared one by one: a string exactly, a RegExp where the text holds the policy's own sentence. */
function assertLines(actual: string[], expected: (string | RegExp)[]): void {
  assert.equal(actual.length, expected.length, `line count\n${actual.join("\n")}`);
  expected.forEach((line, index) => (typeof line === "string" ? assert.equal(actual[index], line, `line ${index + 1}`) : assert.match(actual[index]!, line, `line ${index + 1}`)));
}

describe("orch diff", () => {
  let server: FakeLlmServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startFakeLlmServer();
    env = { OPENAI_TEST_KEY: "sk-test-diff-0123456789", FAKE_URL: server.url };
  });
  after(async () => server.close());

  it("shows per step what changed: model and why, route, prompt and output as unified diffs, checks, cost; as text and as Markdown", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy(low, high) });
    const database = path.join(directory, "state/orch.db");
    const runIdOf = (stdout: string) => (JSON.parse(stdout.split("\n")[0]!) as { runId: string }).runId;
    server.script("gpt-4o-mini", { responses: ["not yet", "OK shipped", "Shipped"] });
    server.script("gpt-4.1-mini", { defaultResponse: "OK" });
    const first = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"], env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const a = runIdOf(first.stdout);

    writeFileSync(path.join(directory, "policy.yaml"), policy(high, low));
    server.script("gpt-4o", { responses: ["OK shipped today", "Shipped ```today```"] });
    const second = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", "--no-cache", "--set", "topic=the changelog"], env);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const b = runIdOf(second.stdout);

    const text = await runCliInProcess(["diff", a, "latest", "--db", database], env);
    assert.equal(text.code, 0, text.stderr);
    assertLines(text.stdout.trimEnd().split("\n"), [
      `diff ${a} → ${b} (notes)`,
      // a: summary 2 × (6 in, 2 out) = $0.00002, title 4 in 1 out = $0.000006, static 2 in 1 out = $0.000004.
      new RegExp(`^ {2}a  ${a} · succeeded · \\$0\\.00003 · started \\S+$`),
      // b: summary 6 in 3 out = $0.000012, title 5 in 2 out = $0.000009, static $0.000004.
      new RegExp(`^ {2}b  ${b} · succeeded · \\$0\\.000025 · started \\S+$`),
      "  cost $0.00003 → $0.000025 (-$0.000005) · 2 of 3 steps changed",
      "",
      "~ summary  changed: model, route, prompt, output, checks, cost",
      "  model   openai:gpt-4o-mini → openai:gpt-4o",
      /^ {2}why {5}a: tier:standard; cheap: kept/,
      /^ {10}b: tier:standard; dear: kept/,
      /^ {2}route {3}cheap: kept → dropped \(.*max_cost_usd.*\)$/,
      /^ {2}route {3}dear: dropped → kept \(kept.*\)$/,
      "  prompt",
      `    --- a/summary prompt (${a})`,
      `    +++ b/summary prompt (${b})`,
      "    @@ -1,2 +1,2 @@",
      "     [user]",
      "    -Summarise release notes in one line.",
      "    +Summarise the changelog in one line.",
      "  output",
      `    --- a/summary output (${a})`,
      `    +++ b/summary output (${b})`,
      "    @@ -1,1 +1,1 @@",
      "    -OK shipped",
      "    +OK shipped today",
      "  checks",
      /^ {4}a: attempt 1 openai:gpt-4o-mini: rejected: .*grep -q OK/,
      "    b: no answer refused, no call failed",
      "  cost    $0.00002 → $0.000012 (-$0.000008)",
      "",
      "~ title  changed: model, route, prompt, output, cost",
      "  model   openai:gpt-4o-mini → openai:gpt-4o",
      /^ {2}why {5}a: tier:standard; cheap: kept/,
      /^ {10}b: tier:standard; dear: kept/,
      /^ {2}route {3}cheap: kept → dropped/,
      /^ {2}route {3}dear: dropped → kept/,
      "  prompt",
      `    --- a/title prompt (${a})`,
      `    +++ b/title prompt (${b})`,
      "    @@ -1,2 +1,2 @@",
      "     [user]",
      "    -Title for: OK shipped",
      "    +Title for: OK shipped today",
      "  output",
      `    --- a/title output (${a})`,
      `    +++ b/title output (${b})`,
      "    @@ -1,1 +1,1 @@",
      "    -Shipped",
      "    +Shipped ```today```",
      "  cost    $0.000006 → $0.000009 (+$0.000003)",
      "",
      "= static  unchanged · openai:gpt-4.1-mini · $0.000004",
    ]);

    const markdown = await runCliInProcess(["diff", a, b, "--format", "markdown", "--db", database], env);
    assert.equal(markdown.code, 0, markdown.stderr);
    const lines = markdown.stdout.trimEnd().split("\n");
    assert.equal(lines[0], `## orch diff: \`${a}\` → \`${b}\` (notes)`);
    assert.ok(lines.includes("Cost $0.00003 → $0.000025 (-$0.000005) · 2 of 3 steps changed."));
    assert.ok(lines.includes("| step | status | model | cost | changed |"));
    assert.ok(lines.includes("| `summary` | succeeded | openai:gpt-4o-mini → openai:gpt-4o | $0.00002 → $0.000012 (-$0.000008) | model, route, prompt, output, checks, cost |"));
    assert.ok(lines.includes("| `static` | succeeded | openai:gpt-4.1-mini | $0.000004 | — |"));
    const title = lines.indexOf("### `title`");
    const output = lines.indexOf("**Output**", title);
    // The answer holds a triple backtick: the block is fenced with four, so the answer cannot close it.
    assert.deepEqual(lines.slice(output + 2, output + 9), ["````diff", `--- a/title output (${a})`, `+++ b/title output (${b})`, "@@ -1,1 +1,1 @@", "-Shipped", "+Shipped ```today```", "````"]);
    assert.equal(lines.indexOf("### `static`"), -1, "unchanged steps get no section");

    const json = JSON.parse((await runCliInProcess(["diff", a, b, "--json", "--db", database], env)).stdout) as { steps: { step: string; changes: string[] }[] };
    assert.deepEqual(json.steps.map((step) => [step.step, step.changes]), [
      ["summary", ["model", "route", "prompt", "output", "checks", "cost"]],
      ["title", ["model", "route", "prompt", "output", "cost"]],
      ["static", []],
    ]);
    assert.equal((await runCliInProcess(["diff", a, b, "--format", "html", "--db", database], env)).code, 2);
  });
});
