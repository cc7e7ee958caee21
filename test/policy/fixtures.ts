/**
 * Shared test data: a small policy covering every kind of provider, a fixed price table, and a
 * state builder with an injected clock, so every decision (and every sentence) is reproducible.
 */
import type { RoutingPolicy } from "../../src/generated/routing-policy.js";
import type { ModelPrices, ProviderState, RouteRequest, RoutingState } from "../../src/policy/decision.js";

/** USD per million tokens, as the price table had them when these tests were written. */
export const testPrices: Readonly<Record<string, ModelPrices>> = {
  "openai:gpt-5-nano": { input: 0.05, output: 0.4 },
  "openai:gpt-5.4-nano": { input: 0.2, output: 1.25 },
  "openai:gpt-5.4-mini": { input: 0.75, output: 4.5 },
  "openai:gpt-5.4": { input: 2.5, output: 15 },
  "openai:gpt-5.5": { input: 5, output: 30 },
  "anthropic:claude-haiku-4-5": { input: 1, output: 5 },
  "anthropic:claude-sonnet-4-6": { input: 3, output: 15 },
  "anthropic:claude-opus-4-7": { input: 5, output: 25 },
  "gemini:gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
  "gemini:gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "gemini:gemini-2.5-pro": { input: 1.25, output: 10 },
};

export function testPricesFor(provider: string, model: string): ModelPrices | undefined {
  return testPrices[`${provider}:${model}`];
}

/** 2025-03-10T14:00:00Z. */
export const testNow = Date.UTC(2025, 2, 10, 14, 0, 0);

export function testPolicy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return {
    version: 1,
    providers: {
      agent: { type: "cli", command: ["agent", "--model", "{model}"] },
      ollama: { type: "ollama" },
      openai: { type: "openai", api_key_env: "OPENAI_API_KEY" },
      anthropic: { type: "anthropic", api_key_env: "ANTHROPIC_API_KEY" },
      gemini: { type: "gemini", api_key_env: "GEMINI_API_KEY" },
    },
    models: {
      local: "ollama:qwen3:8b",
      coder: "agent:sonnet",
      nano: "openai:gpt-5-nano",
      mini: "openai:gpt-5.4-mini",
      gpt: "openai:gpt-5.4",
      sonnet: "anthropic:claude-sonnet-4-6",
      flash: "gemini:gemini-2.5-flash",
      small: { model: "ollama:llama3.2:3b", context_window: 8192 },
    },
    tiers: {
      economy: ["local", "nano"],
      standard: ["mini", "flash", "local"],
      premium: ["sonnet", "gpt"],
    },
    budget: { time_zone: "UTC" },
    ...overrides,
  } as RoutingPolicy;
}

export function testRequest(overrides: Partial<RouteRequest> = {}): RouteRequest {
  return {
    step: "draft",
    task: "chat",
    quality: "standard",
    estimatedInputTokens: 1000,
    maxOutputTokens: 1000,
    sensitive: false,
    tags: [],
    ...overrides,
  };
}

const providerStates: Record<string, ProviderState> = {
  agent: { available: true, local: false, pricing: "subscription" },
  ollama: { available: true, local: true, pricing: "local" },
  openai: { available: true, local: false, pricing: "metered" },
  anthropic: { available: true, local: false, pricing: "metered" },
  gemini: { available: true, local: false, pricing: "metered" },
};

export function testState(overrides: Partial<RoutingState> & { providerOverrides?: Record<string, Partial<ProviderState>> } = {}): RoutingState {
  const { providerOverrides = {}, ...rest } = overrides;
  const providers: Record<string, ProviderState> = {};
  for (const [name, state] of Object.entries(providerStates)) providers[name] = { ...state, ...providerOverrides[name] };
  return { now: testNow, budgetLeftUsd: {}, providers, pricesFor: testPricesFor, ...rest };
}
