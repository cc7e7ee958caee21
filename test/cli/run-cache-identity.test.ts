/**
 * The cache never answers for someone else: its key names the server that answers and the whole
 * request, a fallback's cached answer waits for that fallback's turn, and a resumed run never pays
 * again for an answer it was already given, whatever its cache settings. Through the real OpenAI
 * SDK against fake servers, so "no call" means no request reached a server.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, runPaths } from "../executor/support/run-project.js";

const policyAt = (url: string) => `version: 1
providers:
  api: { type: openai, base_url: "${url}/v1", api_key_env: CACHE_TEST_KEY, max_retries: 0 }
models:
  big: { model: "api:gpt-4o", prices: { input: 2.5, output: 10 } }
  small: { model: "api:gpt-4o-mini", prices: { input: 0.15, output: 0.6 } }
tiers:
  economy: [small]
  standard: [small]
  premium: [big, small]
`;

const oneStep = (extra = "") => `version: 1
name: identity
policy: policy.yaml
steps:
  ask:
    prompt: "Name one colour."
${extra}`;

const chatRequests = (server: FakeLlmServer, model?: string) =>
  server.requests.filter((request) => request.path.startsWith("/v1/chat/completions") && (model === undefined || JSON.stringify(request.body).includes(`"${model}"`))).length;

const env = { CACHE_TEST_KEY: "sk-cache-identity-0000" };

function answeringModel(stdout: string): string | undefined {
  const end = jsonEvents(stdout).find((event) => event.type === "step-end" && event.step === "ask");
  return end?.type === "step-end" ? end.model : undefined;
}

describe("orch run: what the answer cache may answer", () => {
  let first: FakeLlmServer;
  let second: FakeLlmServer;
  before(async () => {
    first = await startFakeLlmServer();
    second = await startFakeLlmServer();
  });
  after(async () => {
    await first.close();
    await second.close();
  });
  beforeEach(() => {
    for (const server of [first, second]) {
      server.reset();
      server.script("gpt-4o", { defaultResponse: server === first ? "Teal from one." : "Teal from two.", usage: { inputTokens: 50, outputTokens: 5 } });
      server.script("gpt-4o-mini", { defaultResponse: "Grey from mini.", usage: { inputTokens: 50, outputTokens: 5 } });
    }
  });

  it("asks the new server when the same provider and model names point elsewhere", async () => {
    const directory = writeProject({ "pipeline.yaml": oneStep("    quality: premium\n    output: { file: out/ask.txt }"), "policy.yaml": policyAt(first.url) });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"];
    assert.equal((await runCliInProcess(args, env)).code, 0);
    assert.equal(chatRequests(first), 1);

    writeFileSync(path.join(directory, "policy.yaml"), policyAt(second.url));
    const moved = await runCliInProcess(args, env);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(chatRequests(second), 1, "the other server was asked, not answered for by the first one's cache");
    assert.equal(chatRequests(first), 1);
    const hits = callRows(directory, "status = 'cached'");
    assert.deepEqual(hits, [], "nothing was served from the cache");

    // Same server again: now the cache may answer.
    assert.equal((await runCliInProcess(args, env)).code, 0);
    assert.equal(chatRequests(second), 1);
    assert.equal(callRows(directory, "status = 'cached'").length, 1);
  });

  it("calls again when only max_tokens changed", async () => {
    const directory = writeProject({ "pipeline.yaml": oneStep("    max_tokens: 100"), "policy.yaml": policyAt(first.url) });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)];
    assert.equal((await runCliInProcess(args, env)).code, 0);
    assert.equal((await runCliInProcess(args, env)).code, 0);
    assert.equal(chatRequests(first), 1, "the same request is answered by the cache");
    writeFileSync(path.join(directory, "pipeline.yaml"), oneStep("    max_tokens: 200"));
    assert.equal((await runCliInProcess(args, env)).code, 0);
    assert.equal(chatRequests(first), 2, "a different max_tokens is a different request");
  });

  it("serves a fallback's cached answer only on the fallback's turn: the recovered first choice is asked again", async () => {
    const directory = writeProject({ "pipeline.yaml": oneStep("    quality: premium"), "policy.yaml": policyAt(first.url) });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"];
    first.script("gpt-4o", { faults: [{ type: "server_error", times: 100 }] });
    const outage = await runCliInProcess(args, env);
    assert.equal(outage.code, 0, outage.stderr);
    assert.equal(answeringModel(outage.stdout), "gpt-4o-mini", "during the outage the fallback answered");

    first.script("gpt-4o", { defaultResponse: "Teal from one.", usage: { inputTokens: 50, outputTokens: 5 } });
    const recovered = await runCliInProcess(args, env);
    assert.equal(recovered.code, 0, recovered.stderr);
    assert.equal(answeringModel(recovered.stdout), "gpt-4o", "the premium model answers again once it is back");
    const runId = jsonEvents(recovered.stdout).find((event) => event.type === "run-start");
    assert.ok(runId?.type === "run-start");
    assert.deepEqual(callRows(directory, "run_id = ?", runId.runId).map((call) => [call.model, call.status]), [["gpt-4o", "succeeded"]]);
  });

  const resumedWithout: { label: string; change(directory: string): string[] }[] = [
    { label: "--no-cache", change: () => ["--no-cache"] },
    {
      label: "cache: false",
      change: (directory) => {
        writeFileSync(path.join(directory, "pipeline.yaml"), twoSteps("    cache: false"));
        return [];
      },
    },
  ];
  for (const { label, change } of resumedWithout) {
    it(`a run resumed with ${label} reuses the answer it was served by the cache, and pays nothing again`, async () => {
      const directory = writeProject({ "pipeline.yaml": twoSteps(), "policy.yaml": policyAt(first.url) });
      const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)];
      // `copy` asks what `ask` asked: it is served `ask`'s answer from the cache, then its check fails.
      const failed = await runCliInProcess(args, env);
      assert.equal(failed.code, 1, failed.stderr);
      assert.equal(chatRequests(first), 1);
      assert.deepEqual(callRows(directory).map((call) => [call.step, call.status]), [["ask", "succeeded"], ["copy", "cached"]]);

      writeFileSync(path.join(directory, "ready"), "");
      const resumed = await runCliInProcess([...args, "--resume", ...change(directory)], env);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(chatRequests(first), 1, "no request reached the server");
      assert.deepEqual(callRows(directory).map((call) => [call.step, call.status]), [["ask", "succeeded"], ["copy", "cached"], ["copy", "cached"]]);
    });
  }
});

function twoSteps(copyExtra = ""): string {
  return `version: 1
name: resumed
policy: policy.yaml
steps:
  ask:
    prompt: "Name one colour."
  copy:
    needs: [ask]
    prompt: "Name one colour."
    output: { file: out/copy.txt, validate: [[test, -e, ready]] }
${copyExtra}`;
}
