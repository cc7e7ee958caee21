/**
 * The call log as users read it: `orch runs`, `orch show` and `orch diff` over runs against the
 * fake server (one token per word, prices of $1 and $2 per million tokens, so every figure below
 * is worked out by hand), the prompt in the step JSON, the recording and `plan --json`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { mockPolicy, runPaths } from "../executor/support/run-project.js";

const key = "sk-test-call-log-0123456789";

function policy(extra = ""): string {
  return `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  cheap: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }
  dear: { model: "openai:gpt-4o", prices: { input: 1000, output: 2000 } }
tiers: { economy: [cheap], standard: [cheap, dear], premium: [dear] }
${extra}`;
}

const notesPipeline = `version: 1
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
      validate: ['cat "$ORCH_FILE"; grep -q OK "$ORCH_FILE"']
  title:
    needs: [summary]
    prompt: "Title for: <%= it.steps.summary.output %>"
    max_tokens: 100
`;

/** Latency varies from run to run; everything else in these outputs is fixed. */
const withoutLatency = (text: string) => text.replace(/ · \d+(\.\d+)?m?s$/gm, "");

describe("call log: orch runs, show, diff", () => {
  let server: FakeLlmServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startFakeLlmServer();
    env = { OPENAI_TEST_KEY: key, FAKE_URL: server.url };
  });
  after(async () => server.close());
  beforeEach(() => server.reset());

  async function run(directory: string, ...extra: string[]): Promise<string> {
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", ...extra], env);
    const end = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; runId?: string }).find((event) => event.type === "run-start");
    assert.ok(end?.runId, result.stdout + result.stderr);
    return end.runId;
  }
  const cli = (directory: string, ...args: string[]) => runCliInProcess([...args, "--db", path.join(directory, "state/orch.db")], env);

  it("show: a step's prompt, route with every candidate's reason, each attempt's answer, check and cost", async () => {
    server.script("gpt-4o-mini", { responses: ["not yet", "OK shipped", "Shipped"] });
    const directory = writeProject({ "pipeline.yaml": notesPipeline, "policy.yaml": policy() });
    const runId = await run(directory);

    const shown = await cli(directory, "show", runId.slice(0, 17), "summary");
    assert.equal(shown.code, 0, shown.stderr);
    const lines = withoutLatency(shown.stdout).trimEnd().split("\n");
    // 6 words in, 2 out: 6 × $1/M + 2 × $2/M = $0.00001 per attempt, two attempts.
    assert.deepEqual(lines.slice(0, 4), [
      `step summary of run ${runId} (notes) · succeeded · openai:gpt-4o-mini · $0.00002`,
      "prompt",
      "  [user]",
      "  │ Summarise release notes in one line.",
    ]);
    assert.equal(lines[4], "route tier:standard · chosen openai:gpt-4o-mini");
    assert.match(lines[5]!, /^ {2}✓ cheap \(openai:gpt-4o-mini\): kept/);
    assert.match(lines[6]!, /^ {2}✗ dear \(openai:gpt-4o\): .*max_cost_usd/);
    assert.deepEqual(lines.slice(7, 11), ["attempt 1 · openai:gpt-4o-mini · rejected · 6→2 tokens · $0.00001", "  answer", "  │ not yet", lines[10]]);
    assert.match(lines[10]!, /^ {2}check rejected: .*grep -q OK/);
    assert.deepEqual(lines.slice(11, 13), ["  checker output", "  │ not yet"]);
    assert.deepEqual(lines.slice(13), [
      "attempt 2 · openai:gpt-4o-mini · succeeded · 6→2 tokens · $0.00001",
      "  answer",
      "  │ OK shipped",
      "  check accepted",
      `output file ${path.relative(process.cwd(), path.join(directory, "out/summary.txt"))}`,
      "output the answer of attempt 2",
    ]);

    const json = JSON.parse((await cli(directory, "show", "latest", "summary", "--json")).stdout) as {
      run: { id: string; costUsd: number };
      step: { calls: { attempt: number; answer: string; messages: unknown; rejection?: string; checkerOutput?: string; costUsd: number }[] };
    };
    assert.equal(json.run.id, runId);
    assert.equal(json.run.costUsd, 0.000026); // title: "Title for: OK shipped" is 4 words in, "Shipped" 1 out: $0.000006
    assert.deepEqual(json.step.calls.map((call) => [call.attempt, call.answer, call.costUsd]), [[1, "not yet", 0.00001], [2, "OK shipped", 0.00001]]);
    assert.deepEqual(json.step.calls[0]!.messages, [{ role: "user", content: "Summarise release notes in one line." }]);
    assert.match(json.step.calls[0]!.checkerOutput ?? "", /not yet/);

    const overview = await cli(directory, "show", runId);
    assert.deepEqual(withoutLatency(overview.stdout).split("\n").slice(3, 6), [
      "steps",
      "  ✓ summary  succeeded · openai:gpt-4o-mini · 2 calls · $0.00002",
      "  ✓ title    succeeded · openai:gpt-4o-mini · 1 call · $0.000006",
    ]);
  });

  it("runs: newest first with pipeline, status, cost and duration; filtered by --pipeline, --status, --since, --limit", async () => {
    server.script("gpt-4o-mini", { defaultResponse: "OK fine" });
    const directory = writeProject({ "pipeline.yaml": notesPipeline, "policy.yaml": policy(), "other.yaml": notesPipeline.replace("name: notes", "name: other") });
    const first = await run(directory);
    const second = await run(directory, "--set", "topic=the changelog");
    const other = (await runCliInProcess(["run", path.join(directory, "other.yaml"), ...runPaths(directory), "--json"], env)).stdout;
    const otherId = (JSON.parse(other.split("\n")[0]!) as { runId: string }).runId;

    const listed = await cli(directory, "runs", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    const runs = JSON.parse(listed.stdout) as { id: string; pipeline: string; status: string; costUsd: number; calls: number; durationMs: number }[];
    assert.deepEqual(runs.map((row) => [row.id, row.pipeline, row.status, row.calls]), [[otherId, "other", "succeeded", 2], [second, "notes", "succeeded", 2], [first, "notes", "succeeded", 2]]);
    // "Summarise the changelog in one line." is 6 words, "OK fine" 2: $0.00001; its title ("Title for: OK fine")
    // was asked by the first run already and comes from the cache: $0. The first run paid for both: + $0.000008.
    assert.equal(runs[1]!.costUsd, 0.00001);
    assert.equal(runs[2]!.costUsd, 0.000018);
    assert.ok(runs.every((row) => row.durationMs >= 0));

    const text = await cli(directory, "runs", "--pipeline", "notes", "--limit", "1");
    const lines = text.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^run +pipeline +status +cost +duration +started \(UTC\)$/);
    assert.match(lines[1]!, new RegExp(`^${second} +notes +succeeded +\\$0\\.00001 +\\d+(ms|\\.\\ds) +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`));
    assert.equal(lines.length, 3, text.stdout);

    const byFile = JSON.parse((await cli(directory, "runs", "--pipeline", path.join(directory, "other.yaml"), "--json")).stdout) as { id: string }[];
    assert.deepEqual(byFile.map((row) => row.id), [otherId]);
    assert.deepEqual(JSON.parse((await cli(directory, "runs", "--status", "failed", "--json")).stdout), []);
    assert.equal(JSON.parse((await cli(directory, "runs", "--since", "1h", "--json")).stdout).length, 3);
    assert.match((await cli(directory, "runs", "--status", "done")).stderr, /--status expects one of running, succeeded, failed, budget_stopped, deferred, interrupted, got "done"/);
    assert.equal((await cli(directory, "runs", "--since", "yesterday")).code, 2);
  });

  it("names runs by latest, a unique prefix or the whole id; anything else is exit 2 with what exists", async () => {
    const directory = writeProject({ "pipeline.yaml": notesPipeline, "policy.yaml": policy() });
    const empty = await cli(directory, "show", "latest");
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no run is recorded in/);
    server.script("gpt-4o-mini", { defaultResponse: "OK fine" });
    const first = await run(directory);
    const second = await run(directory);

    const missing = await cli(directory, "show", "nope");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no run "nope"/);
    assert.match(missing.stderr, /orch runs/);
    const common = first.slice(0, [...first].findIndex((character, index) => character !== second[index]));
    const ambiguous = await cli(directory, "show", common);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, new RegExp(`is the start of 2 runs: .*${first}.*${second}|is the start of 2 runs: .*${second}.*${first}`));
    const step = await cli(directory, "show", first, "nosuch");
    assert.equal(step.code, 2);
    assert.match(step.stderr, /has no step "nosuch"/);
    assert.match(step.stderr, /its steps: summary, title/);
    const lonely = await cli(directory, "diff", first);
    assert.equal(lonely.code, 2);
    assert.match(lonely.stderr, /is the first of notes/);
  });

  it("show: every for_each item's prompt and attempts, and the messages a repair attempt added", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1
name: fan
policy: policy.yaml
inputs:
  topics: { type: list, default: [red, blue] }
steps:
  each:
    for_each: { items: inputs.topics, concurrency: 1 }
    prompt: "Name a <%= it.item %> thing."
  fixed:
    prompt: "Say OK."
    repair: true
    retries: 1
    output:
      file: out/fixed.txt
      validate: ['grep -q OK "$ORCH_FILE"']
`,
      "policy.yaml": mockPolicy([
        `{ step: each, contains: "red", text: "A rose." }`,
        `{ step: each, contains: "blue", text: "The sea." }`,
        `{ step: fixed, contains: "rejected", text: "OK now." }`,
        `{ step: fixed, text: "no" }`,
      ]),
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)]);
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const each = withoutLatency((await cli(directory, "show", "latest", "each")).stdout).split("\n");
    const prompts = each.flatMap((line, index) => (line.startsWith("prompt (item") ? [line, each[index + 1], each[index + 2]] : []));
    assert.deepEqual(prompts, ["prompt (item 0)", "  [user]", "  │ Name a red thing.", "prompt (item 1)", "  [user]", "  │ Name a blue thing."]);
    const attempts = each.filter((line) => line.startsWith("attempt "));
    assert.equal(attempts.length, 2);
    assert.match(attempts[0]!, /^attempt 1 \(item 0\) · offline:cheap · succeeded · /);
    assert.match(attempts[1]!, /^attempt 1 \(item 1\) · offline:cheap · succeeded · /);
    assert.ok(each.includes("  │ A rose.") && each.includes("  │ The sea."));
    const stepJson = JSON.parse(readFileSync(path.join(directory, "results/latest/each.json"), "utf8")) as { items: { prompt: unknown }[] };
    assert.deepEqual(stepJson.items.map((item) => item.prompt), [[{ role: "user", content: "Name a red thing." }], [{ role: "user", content: "Name a blue thing." }]]);

    const fixed = withoutLatency((await cli(directory, "show", "latest", "fixed")).stdout).split("\n");
    const repair = fixed.indexOf("  sent the prompt plus (repair):");
    assert.ok(repair > 0, fixed.join("\n"));
    assert.match(fixed[repair - 1]!, /^attempt 2 · offline:cheap · succeeded/);
    assert.deepEqual(fixed.slice(repair + 1, repair + 4), ["    [assistant]", "    │ no", "    [user]"]);
    assert.match(fixed[repair + 4]!, /^ {4}│ That answer was rejected: /);
  });
});

