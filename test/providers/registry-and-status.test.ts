import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import type { RoutingPolicy } from "../../src/generated/routing-policy.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { checkProviders } from "../../src/providers/status.js";
import { chatRequest, collectWaits, never, testContext } from "./helpers.js";

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer({ ollamaModels: ["llama3.2"], models: { "gpt-4o-mini": { responses: ["from the registry"] } } });
});
after(async () => {
  await server.close();
});

function policy(): RoutingPolicy {
  return {
    version: 1,
    providers: {
      openai: { type: "openai", base_url: `${server.url}/v1`, max_concurrency: 1, max_retries: 1 },
      claude: { type: "anthropic", base_url: server.url },
      local: { type: "ollama", host: server.url },
      agent: { type: "cli", command: ["orch-no-such-agent-cli", "-p"] },
      offline: { type: "mock" },
    },
    models: {
      mini: "openai:gpt-4o-mini",
      custom: { model: "openai:my-finetune", prices: { input: 1, output: 2 } },
      nameless: "openai:unpriced-model-xyz",
      haiku: "claude:claude-haiku-4-5",
      llama: "local:llama3.2",
    },
    tiers: { economy: ["llama", "local:qwen3:8b"], standard: ["mini"], premium: ["haiku"] },
  };
}

describe("provider registry", () => {
  it("creates each provider once, lazily, wrapped with its limits", async () => {
    const waits = collectWaits();
    const registry = createProviderRegistry(policy(), testContext({ env: { OPENAI_API_KEY: "sk-test-registry-123" }, onWait: waits.onWait }));
    const openai = registry.get("openai");
    assert.equal(registry.get("openai"), openai);
    assert.equal(openai.pricing, "metered");
    assert.deepEqual(
      registry.all().map((provider) => [provider.id, provider.type, provider.pricing, provider.local]),
      [
        ["openai", "openai", "metered", false],
        ["claude", "anthropic", "metered", false],
        ["local", "ollama", "local", true],
        ["agent", "cli", "subscription", false],
        ["offline", "mock", "metered", true],
      ],
    );
    const answers = await Promise.all([openai.call(chatRequest({ model: "gpt-4o-mini" }), never), openai.call(chatRequest({ model: "gpt-4o-mini" }), never)]);
    assert.deepEqual(answers.map((answer) => answer.text), ["from the registry", "Scripted answer from gpt-4o-mini."]);
    assert.equal(waits.events.filter((event) => event.reason === "concurrency").length, 1, "max_concurrency: 1 made the second call wait");
    assert.equal((await registry.get("offline").call(chatRequest(), never)).synthetic, true);
    await registry.close();
  });

  it("refuses an unknown provider id", () => {
    const registry = createProviderRegistry(policy(), testContext());
    assert.throws(() => registry.get("nope"), (error: unknown) => ProviderError.isInstance(error) && /no provider named "nope".*known: openai, claude/.test(error.message));
  });
});

describe("checkProviders", () => {
  it("reports keys (never values), reachability, pulled models and usable models", async () => {
    const statuses = await checkProviders(policy(), testContext({ env: { OPENAI_API_KEY: "sk-test-status-secret-1" } }));
    const byId = Object.fromEntries(statuses.map((status) => [status.id, status]));
    assert.doesNotMatch(JSON.stringify(statuses), /sk-test-status-secret-1/);

    assert.equal(byId["openai"]?.keyVariable, "OPENAI_API_KEY");
    assert.equal(byId["openai"]?.keySet, true);
    assert.equal(byId["openai"]?.reachable, true);
    assert.deepEqual(byId["openai"]?.models, [
      { model: "gpt-4o-mini", usable: true },
      { model: "my-finetune", usable: true },
      { model: "unpriced-model-xyz", usable: false, reason: "no known price: add `prices:` (USD per million tokens) to its alias in `models`" },
    ]);
    assert.equal(byId["openai"]?.usable, false);

    assert.deepEqual(
      { keySet: byId["claude"]?.keySet, reachable: byId["claude"]?.reachable, reason: byId["claude"]?.reason, needed: byId["claude"]?.neededByPolicy },
      { keySet: false, reachable: false, reason: "set ANTHROPIC_API_KEY (in the environment or in .env)", needed: true },
    );

    assert.equal(byId["local"]?.reachable, true);
    assert.deepEqual(byId["local"]?.serverModels, ["llama3.2:latest"]);
    assert.deepEqual(byId["local"]?.models, [
      { model: "llama3.2", usable: true },
      { model: "qwen3:8b", usable: false, reason: "not pulled; run `ollama pull qwen3:8b` or set `pull: true`" },
    ]);

    assert.equal(byId["agent"]?.reachable, false);
    assert.match(byId["agent"]?.reason ?? "", /command not found/);
    assert.equal(byId["agent"]?.neededByPolicy, false);

    assert.equal(byId["offline"]?.usable, true);
    assert.equal(byId["offline"]?.keyVariable, undefined);
  });
});
