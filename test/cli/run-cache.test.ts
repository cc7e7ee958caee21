/**
 * The answer cache end to end, through the real OpenAI SDK against the fake server, so "no call"
 * means no request reached the server.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { fakeOpenAiPolicy, writeProject } from "../support/project.js";
import { callRows, jsonEvents, runPaths } from "../executor/support/run-project.js";

const policy = fakeOpenAiPolicy("CACHE_TEST_KEY");

const pipeline = (extra = "") => `version: 1
name: cached
policy: policy.yaml
concurrency: 4
steps:
  left:
    prompt: "Name one colour."
${extra}
  right:
    prompt: "Name one colour."
${extra}
  both:
    needs: [left, right]
    prompt: "Compare <%= it.steps.left.output %> and <%= it.steps.right.output %>."
    output: { file: out/both.md }
`;

const chatRequests = (server: FakeLlmServer) => server.requests.filter((request) => request.path.startsWith("/v1/chat/completions")).length;

describe("orch run: answer cache", () => {
  let server: FakeLlmServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startFakeLlmServer();
    env = { FAKE_URL: server.url, CACHE_TEST_KEY: "sk-cache-test-0000" };
  });
  after(async () => server.close());
  beforeEach(() => {
    server.reset();
    server.script("gpt-4o-mini", { defaultResponse: "Teal.", latencyMs: 150, usage: { inputTokens: 100, outputTokens: 20 } });
  });

  it("sends identical calls in flight at once only once, and a second identical run costs $0 and makes no call", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"];
    const first = await runCliInProcess(args, env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(chatRequests(server), 2, "left and right share one call; both makes the second");
    const firstEnd = jsonEvents(first.stdout).at(-1)!;
    assert.ok(firstEnd.type === "run-end" && firstEnd.totals.calls === 2 && firstEnd.totals.cacheHits === 1 && firstEnd.totals.costUsd > 0);

    const second = await runCliInProcess(args, env);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(chatRequests(server), 2, "no request reached the server");
    const end = jsonEvents(second.stdout).at(-1)!;
    assert.ok(end.type === "run-end");
    assert.equal(end.totals.calls, 0);
    assert.equal(end.totals.costUsd, 0);
    assert.equal(end.totals.cacheHits, 3);
    // The first run paid for left and both, and single flight saved it right; all three are saved now.
    assert.ok(Math.abs(end.totals.savedUsd - (firstEnd.totals.costUsd + firstEnd.totals.savedUsd)) < 1e-12, "it saved what the calls had cost");
    assert.ok(jsonEvents(second.stdout).every((event) => event.type !== "step-end" || event.cached === true));
    assert.equal(readFileSync(path.join(directory, "out/both.md"), "utf8"), "Teal.\n");

    const hits = callRows(directory, "run_id = ?", end.runId);
    assert.deepEqual(hits.map((call) => [call.status, call.cost_usd, call.input_tokens, call.output_tokens]), [
      ["cached", 0, 100, 20],
      ["cached", 0, 100, 20],
      ["cached", 0, 100, 20],
    ]);
  });

  it("calls again with --no-cache, with cache: false, and once the TTL has passed", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)];
    assert.equal((await runCliInProcess(args, env)).code, 0);
    const afterFirst = chatRequests(server);
    assert.equal((await runCliInProcess([...args, "--no-cache"], env)).code, 0);
    assert.equal(chatRequests(server), afterFirst + 3, "--no-cache: every call goes out, single flight is off too");

    const uncached = writeProject({ "pipeline.yaml": pipeline("    cache: false"), "policy.yaml": policy });
    const uncachedArgs = ["run", path.join(uncached, "pipeline.yaml"), ...runPaths(uncached)];
    assert.equal((await runCliInProcess(uncachedArgs, env)).code, 0);
    const before = chatRequests(server);
    assert.equal((await runCliInProcess(uncachedArgs, env)).code, 0);
    assert.equal(chatRequests(server) - before, 2, "cache: false steps call every time; the dependent one is cached");

    const shortLived = writeProject({ "pipeline.yaml": pipeline("    cache: { ttl: 1s }"), "policy.yaml": policy });
    const shortArgs = ["run", path.join(shortLived, "pipeline.yaml"), ...runPaths(shortLived)];
    assert.equal((await runCliInProcess(shortArgs, env)).code, 0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const beforeExpiry = chatRequests(server);
    assert.equal((await runCliInProcess(shortArgs, env)).code, 0);
    assert.equal(chatRequests(server) - beforeExpiry, 1, "the expired answers are asked again (once: single flight), the dependent one is not");
  });

  it("never caches a failed call or an empty answer", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy });
    const args = ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)];
    server.script("gpt-4o-mini", { defaultResponse: "", latencyMs: 10 });
    assert.equal((await runCliInProcess(args, env)).code, 1, "an empty answer fails the step");
    server.script("gpt-4o-mini", { faults: [{ type: "server_error", times: 10 }] });
    assert.equal((await runCliInProcess(args, env)).code, 1);
    server.script("gpt-4o-mini", { defaultResponse: "Teal.", latencyMs: 10 });
    const before = chatRequests(server);
    assert.equal((await runCliInProcess(args, env)).code, 0);
    assert.equal(chatRequests(server) - before, 2, "nothing earlier was reused");
  });
});
