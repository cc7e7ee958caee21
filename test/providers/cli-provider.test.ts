import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import type { CliProvider } from "../../src/generated/routing-policy.js";
import { createCliProvider } from "../../src/providers/cli/cli-provider.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, failureOf, never, testContext } from "./helpers.js";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "fake-cli.mjs");
const node = process.execPath;

/** The fake CLI in `mode`, with extra arguments after it. */
function cli(mode: string, settings: Omit<Partial<CliProvider>, "command"> & { extraArgs?: string[] } = {}, context = testContext({ env: { PATH: process.env["PATH"] } })) {
  const { extraArgs = [], ...rest } = settings;
  return createCliProvider("agent", { ...rest, type: "cli", command: [node, fixture, mode, ...extraArgs] }, context);
}


describe("cli provider", () => {
  it("sends the prompt on stdin and reads text output", async () => {
    const agent = cli("echo");
    const response = await agent.call(chatRequest({ messages: [{ role: "user", content: "ping" }] }), never);
    assert.equal(response.text, "You said: ping");
    assert.equal(agent.pricing, "subscription");
    assert.ok(response.usage.inputTokens > 0 && response.usage.outputTokens > 0, "estimated tokens");
  });

  it("passes arguments as an array with {model} substituted, so nothing is interpreted by a shell", async () => {
    const hostile = "gpt; touch /tmp/orch-pwned $(whoami)";
    const agent = cli("argv", { extraArgs: ["--model", "{model}", "--flag={model}"], output: "json" });
    const prompt = "`rm -rf /` && echo $HOME";
    const response = await agent.call(chatRequest({ model: hostile, messages: [{ role: "user", content: prompt }] }), never);
    assert.deepEqual(JSON.parse(response.text), ["--model", hostile, `--flag=${hostile}`]);
  });

  it("reads JSON output: claude's `result` and usage by default, or a json_field dot path", async () => {
    const claude = await cli("claude-json", { output: "json" }).call(chatRequest(), never);
    assert.match(claude.text, /^answer to \d+ chars$/);
    assert.deepEqual(claude.usage, { inputTokens: 42, outputTokens: 7, cachedInputTokens: 30 });
    assert.equal(claude.reportedCostUsd, undefined, "a subscription has no marginal cost");

    const nested = await cli("nested-json", { output: "json", json_field: "data.choices.0.text" }).call(chatRequest(), never);
    assert.equal(nested.text, "nested answer");

    const missing = await failureOf(cli("nested-json", { output: "json", json_field: "answer" }).call(chatRequest(), never));
    assert.match(missing.message, /no text at "answer".*top-level fields: data/);
  });

  it("turns a non-zero exit into an error with the end of stderr, secrets removed, not retried", async () => {
    const secret = "tok_live_abcdefghijklmnop";
    const agent = withResilience(cli("fail", { pass_env: ["SECRET_TOOL_TOKEN"] }, testContext({ env: { PATH: process.env["PATH"], SECRET_TOOL_TOKEN: secret } })), {}, testContext());
    const failure = await failureOf(agent.call(chatRequest(), never));
    assert.equal(failure.kind, "server");
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /exited with code 3.*fatal: something broke/s);
    assert.doesNotMatch(failure.message, new RegExp(secret));
    assert.match(failure.message, /\[redacted\]/);
  });

  it("runs the tool with the allowlisted environment and what pass_env names, never other keys", async () => {
    const env = {
      PATH: process.env["PATH"],
      HOME: "/home/someone",
      LANG: "C.UTF-8",
      ANTHROPIC_API_KEY: "sk-ant-canary-0123456789",
      GITHUB_TOKEN: "ghp_canary0123456789",
      AWS_SECRET_ACCESS_KEY: "aws-canary-0123456789",
      DATABASE_URL: "postgres://example",
      TOOL_HOME: "/opt/tool",
    };
    const agent = cli("env", { pass_env: ["TOOL_HOME"] }, testContext({ env }));
    const response = await agent.call(chatRequest(), never);
    assert.deepEqual(response.text.split(","), ["HOME", "LANG", "PATH", "TOOL_HOME"]);
  });

  it("recognises a throttled subscription as a rate limit", async () => {
    assert.equal((await failureOf(cli("throttled").call(chatRequest(), never))).kind, "rate_limit");
  });

  it("kills the process on timeout", async () => {
    const agent = withResilience(cli("sleep"), { timeout_seconds: 0.3, max_retries: 0 }, testContext());
    const started = Date.now();
    const failure = await failureOf(agent.call(chatRequest(), never));
    assert.equal(failure.kind, "timeout");
    assert.ok(Date.now() - started < 5_000);
  });

  it("enforces the daily call cap through the context's counter", async () => {
    let calls = 2;
    const context = testContext({ env: { PATH: process.env["PATH"] }, callsToday: async (id) => (id === "agent" ? calls : 0) });
    const agent = cli("echo", { daily_call_cap: 3 }, context);
    assert.equal((await agent.available()).available, true);
    await agent.call(chatRequest(), never);
    calls = 3;
    assert.deepEqual(await agent.available(), { available: false, reason: "daily call cap reached (3 of 3 calls today)" });
    const capped = await failureOf(agent.call(chatRequest(), never));
    assert.equal(capped.kind, "unavailable");
    assert.equal(capped.retryable, false);
  });

  it("reports a missing program", async () => {
    const agent = createCliProvider("agent", { type: "cli", command: ["orch-no-such-tool-xyz", "-p"] }, testContext({ env: { PATH: process.env["PATH"] } }));
    assert.match((await agent.available()).reason ?? "", /command not found: orch-no-such-tool-xyz/);
    const failure = await failureOf(agent.call(chatRequest(), never));
    assert.equal(failure.kind, "unavailable");
  });
});
