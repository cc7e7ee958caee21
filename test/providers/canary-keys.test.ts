/**
 * Keys must never reach a message, an event or a result. Canary keys are set for every provider,
 * every fault is provoked (the fake OpenAI echoes part of a refused key, as the real one does), and
 * everything a caller can see is scanned for the canaries.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeFault, type FakeLlmServer } from "../../src/fake-server/index.js";
import type { RoutingPolicy } from "../../src/generated/routing-policy.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { checkProviders } from "../../src/providers/status.js";
import { chatRequest, collectWaits, fakeClock, never, testContext } from "./helpers.js";

const canaries = {
  OPENAI_API_KEY: `sk-canary-${randomBytes(12).toString("hex")}`,
  OPENROUTER_API_KEY: `sk-or-canary-${randomBytes(12).toString("hex")}`,
  ANTHROPIC_API_KEY: `sk-ant-canary-${randomBytes(12).toString("hex")}`,
  GEMINI_API_KEY: `AIza-canary-${randomBytes(12).toString("hex")}`,
};

/** The canary itself, and any 8 characters of its random part (a partial echo is a leak too). */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const canary of Object.values(canaries)) {
    const random = canary.slice(-24);
    if (text.includes(canary)) found.push(canary);
    for (let start = 0; start + 8 <= random.length; start += 1) if (text.includes(random.slice(start, start + 8))) found.push(random.slice(start, start + 8));
  }
  return found;
}

const faults: FakeFault[] = [
  { type: "rate_limit", retryAfterSeconds: 1 },
  { type: "server_error" },
  { type: "server_error", status: 503 },
  { type: "unauthorized" },
  { type: "context_length" },
  { type: "hang" },
  { type: "reset", afterChunks: 1 },
  { type: "malformed_json" },
  { type: "truncated_stream" },
  { type: "stream_error", afterChunks: 1 },
];

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});

describe("canary keys", () => {
  it("never appear in errors, events, results or status, whatever fails", async () => {
    const clock = fakeClock();
    const waits = collectWaits();
    const context = testContext({ env: { ...canaries }, now: clock.now, sleep: clock.sleep, onWait: waits.onWait });
    const shared = { timeout_seconds: 0.08, max_retries: 1 };
    const policy: RoutingPolicy = {
      version: 1,
      providers: {
        openai: { type: "openai", base_url: `${server.url}/v1`, ...shared },
        openai_stream: { type: "openai", base_url: `${server.url}/v1`, stream: true, ...shared },
        openrouter: { type: "openrouter", base_url: `${server.url}/api/v1`, stream: true, ...shared },
        anthropic: { type: "anthropic", base_url: server.url, ...shared },
        anthropic_stream: { type: "anthropic", base_url: server.url, stream: true, ...shared },
        gemini: { type: "gemini", base_url: server.url, ...shared },
        gemini_stream: { type: "gemini", base_url: server.url, stream: true, ...shared },
      },
      models: { mini: "openai:gpt-4o-mini" },
      tiers: { economy: ["mini"], standard: ["mini"], premium: ["mini"] },
    };
    const registry = createProviderRegistry(policy, context);
    const seen: string[] = [];
    const kinds = new Set<string>();

    for (const id of Object.keys(policy.providers)) {
      const model = `canary-${id}`;
      for (const fault of faults) {
        server.script(model, { responses: ["one two three"], faults: [{ ...fault, times: 2 }] });
        try {
          seen.push(JSON.stringify(await registry.get(id).call(chatRequest({ model }), never)));
        } catch (error) {
          kinds.add((error as { kind: string }).kind);
          seen.push((error as Error).message, String(error), JSON.stringify(error), inspect(error, { depth: Number.POSITIVE_INFINITY }));
        }
      }
      const controller = new AbortController();
      server.script(model, { latencyMs: 2_000 });
      setTimeout(() => controller.abort(), 20);
      await registry
        .get(id)
        .call(chatRequest({ model }), controller.signal)
        .catch((error: unknown) => {
          kinds.add((error as { kind: string }).kind);
          seen.push(inspect(error, { depth: Number.POSITIVE_INFINITY }));
        });
    }
    await registry.close();
    seen.push(JSON.stringify(waits.events), inspect(waits.events, { depth: Number.POSITIVE_INFINITY }));
    seen.push(JSON.stringify(await checkProviders(policy, context)));

    // Every kind was provoked, so every error path was scanned.
    assert.deepEqual([...kinds].sort(), ["aborted", "auth", "context_length", "network", "rate_limit", "server", "timeout"]);
    assert.ok(seen.some((text) => text.includes("Incorrect API key provided: [redacted]")), "the echoed key was scrubbed");
    assert.deepEqual(leaks(seen.join("\n")), []);
    // The keys did reach the server, where they belong.
    assert.ok(server.requests.some((request) => request.headers["authorization"] === `Bearer ${canaries.OPENAI_API_KEY}`));
  });
});
