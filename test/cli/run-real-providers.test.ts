/**
 * `orch run` end to end through the real SDKs against the fake server: routing, fallback across
 * vendors, exact cost, and a scan of everything written for the (canary) API keys.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const canaries = {
  OPENAI_TEST_KEY: "sk-canary-openai-7f3e9a1c2b4d",
  ANTHROPIC_TEST_KEY: "sk-ant-canary-5d8c2e7f1a9b",
};

const policy = `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 1 }
  anthropic: { type: anthropic, base_url: "\${FAKE_URL}", api_key_env: ANTHROPIC_TEST_KEY, max_retries: 0 }
models:
  claude: { model: "anthropic:claude-haiku-4-5", prices: { input: 1, output: 5 } }
  gpt: { model: "openai:gpt-4o-mini", prices: { input: 0.15, output: 0.6 } }
tiers:
  economy: [gpt]
  standard: [claude, gpt]
  premium: [claude, gpt]
`;

const pipeline = `version: 1
name: real
policy: policy.yaml
steps:
  summary:
    quality: economy
    prompt: "Summarise: the ledger never overspends."
  notes:
    needs: [summary]
    quality: standard
    max_tokens: 200
    prompt: "Write notes from <%= it.steps.summary.output %>"
    output: { file: out/notes.md }
`;

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe("orch run against real SDKs (fake server)", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  it("routes, falls back from a refusing vendor, records exact costs, and never writes a key", async () => {
    server.reset();
    server.script("gpt-4o-mini", { responses: ["The ledger holds.", "Notes: budgets are promises."], usage: { inputTokens: 30, outputTokens: 200 } });
    server.script("claude-haiku-4-5", { faults: [{ type: "unauthorized", times: 5 }] });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const result = await runCliInProcess(
      ["run", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "state/orch.db"), "--results", path.join(directory, "results"), "--json"],
      { ...canaries, FAKE_URL: server.url },
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const notes = events.find((event) => event.type === "step-end" && event.step === "notes");
    assert.equal(notes.provider, "openai", "claude refused (401), gpt answered");
    assert.equal(notes.attempts, 2);
    assert.equal(readFileSync(path.join(directory, "out/notes.md"), "utf8"), "Notes: budgets are promises.\n");

    // What went out: the model, the rendered prompt with the upstream output, the key as a bearer token.
    const openaiRequests = server.requests.filter((request) => request.path.startsWith("/v1/chat/completions"));
    assert.equal(openaiRequests.length, 2);
    const second = openaiRequests[1]!.body as { model: string; messages: { content: string }[] };
    assert.equal(second.model, "gpt-4o-mini");
    assert.equal(second.messages.at(-1)?.content, "Write notes from The ledger holds.");
    assert.equal(openaiRequests[1]!.headers.authorization, `Bearer ${canaries.OPENAI_TEST_KEY}`);

    // Exact cost: 30 input tokens at $0.15/M + 200 output at $0.60/M = $0.0001245 per gpt call. (The
    // prompts are ~40 bytes: a server reporting 1,000 input tokens for them would be an overrun.)
    const database = new Database(path.join(directory, "state/orch.db"), { readonly: true });
    const calls = database.prepare("SELECT provider, status, error_kind, input_tokens, output_tokens, cost_usd FROM llm_calls ORDER BY id").all() as {
      provider: string;
      status: string;
      error_kind: string | null;
      cost_usd: number;
    }[];
    database.close();
    assert.deepEqual(
      calls.map((call) => [call.provider, call.status, call.error_kind]),
      [
        ["openai", "succeeded", null],
        ["anthropic", "failed", "auth"],
        ["openai", "succeeded", null],
      ],
    );
    for (const call of calls.filter((row) => row.status === "succeeded")) assert.ok(Math.abs(call.cost_usd - 0.0001245) < 1e-12, String(call.cost_usd));

    // No key anywhere: output, events, SQLite (with its WAL), result files, output files.
    const written = [
      result.stdout,
      result.stderr,
      ...filesUnder(directory).filter((file) => statSync(file).isFile()).map((file) => readFileSync(file).toString("latin1")),
    ].join("\n");
    for (const canary of Object.values(canaries)) assert.equal(written.includes(canary), false, `${canary} leaked`);
  });

  it("records answers with --record and replays them offline with no call", async () => {
    server.reset();
    server.script("gpt-4o-mini", { responses: ["Recorded summary.", "Recorded notes."] });
    const directory = writeProject({
      "pipeline.yaml": pipeline.replace("quality: standard", "quality: economy"),
      "policy.yaml": policy,
      "replay.yaml": `version: 1
providers:
  openai: { type: replay, file: recording.jsonl }
models:
  gpt: { model: "openai:gpt-4o-mini", prices: { input: 0.15, output: 0.6 } }
tiers: { economy: [gpt], standard: [gpt], premium: [gpt] }
`,
    });
    const common = ["--db", path.join(directory, "state/orch.db"), "--results", path.join(directory, "results")];
    const recorded = await runCliInProcess(
      ["run", path.join(directory, "pipeline.yaml"), ...common, "--record", path.join(directory, "recording.jsonl")],
      { ...canaries, FAKE_URL: server.url },
    );
    assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
    const recording = readFileSync(path.join(directory, "recording.jsonl"), "utf8");
    assert.equal(recording.trim().split("\n").length, 2);
    for (const canary of Object.values(canaries)) assert.equal(recording.includes(canary), false);

    const callsBefore = server.requests.length;
    const replayed = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...common, "--policy", path.join(directory, "replay.yaml"), "--json"], {});
    assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
    assert.equal(server.requests.length, callsBefore, "replay makes no call");
    assert.equal(readFileSync(path.join(directory, "out/notes.md"), "utf8"), "Recorded notes.\n");
    const runStart = JSON.parse(replayed.stdout.split("\n")[0]!);
    assert.deepEqual(runStart.syntheticProviders, ["openai"]);
  });

  it("orch providers reports keys (never their values), reachability and exits 1 when a needed provider is unusable", async () => {
    const directory = writeProject({ "policy.yaml": policy });
    const ok = await runCliInProcess(["providers", "--policy", path.join(directory, "policy.yaml")], { ...canaries, FAKE_URL: server.url });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /✓ openai \(openai, metered\) · key OPENAI_TEST_KEY set · reachable/);
    assert.equal(ok.stdout.includes(canaries.OPENAI_TEST_KEY), false);
    const missing = await runCliInProcess(["providers", "--policy", path.join(directory, "policy.yaml")], { OPENAI_TEST_KEY: canaries.OPENAI_TEST_KEY, FAKE_URL: server.url });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /✗ anthropic .*key ANTHROPIC_TEST_KEY not set/);
  });

  it("tells Ollama the policy's context window, so a long prompt is read whole, not cut to Ollama's default", async () => {
    server.reset();
    const ollamaServer = await startFakeLlmServer({ ollamaModels: ["llama3.2"] });
    try {
      ollamaServer.script("llama3.2", { responses: ["Read it all."] });
      const directory = writeProject({
        "policy.yaml": `version: 1
providers:
  local: { type: ollama, host: "${ollamaServer.url}" }
models:
  llama: { model: "local:llama3.2", context_window: 16384 }
tiers:
  economy: [llama]
  standard: [llama]
  premium: [llama]
`,
        "pipeline.yaml": `version: 1
name: long-context
policy: policy.yaml
steps:
  read:
    prompt: "${"word ".repeat(6000).trim()}"
`,
      });
      const result = await runCliInProcess(
        ["run", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "orch.db"), "--results", path.join(directory, "results"), "--json"],
        {},
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const chat = ollamaServer.requests.find((request) => request.path === "/api/chat");
      assert.equal((chat?.body as { options?: { num_ctx?: number } }).options?.num_ctx, 16384);
      const end = result.stdout.trim().split("\n").map((line) => JSON.parse(line)).find((event) => event.type === "step-end");
      assert.ok(end.usage.inputTokens >= 6000, `the whole 6,000-word prompt was read (got ${end.usage.inputTokens} tokens, Ollama's default keeps 2,050)`);
    } finally {
      await ollamaServer.close();
    }
  });
});
