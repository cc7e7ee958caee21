import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide } from "../../src/policy/decide.js";
import { explainDecision } from "../../src/policy/explain.js";
import { testPolicy, testRequest, testState } from "./fixtures.js";

const policy = testPolicy({
  rules: [
    { name: "edits", when: { task: "edit" }, use: ["coder", "mini"] },
    { name: "ts-code", when: { task: "code", language: "typescript", budget_left_usd: { scope: "day", gt: 5 } }, use: ["gpt", "sonnet", "local"] },
    { name: "medium", when: { complexity: "medium" }, use: { best_value: ["mini", "flash"] } },
  ],
  budget: { time_zone: "UTC", emergency_below_usd: { day: 1 }, when_exhausted: "defer", defer_for: "1h" },
});

describe("explainDecision", () => {
  test("a rule with a chain: rules passed over, notes, outcome", () => {
    const request = testRequest({ task: "code", language: "typescript", estimatedInputTokens: 3000, maxOutputTokens: 4096 });
    const state = testState({ budgetLeftUsd: { day: 14.2 }, providerOverrides: { anthropic: { available: false, reason: "ANTHROPIC_API_KEY is not set" } } });
    assert.deepEqual(explainDecision(decide(request, policy, state), request), [
      'route: rule "ts-code" — task is "code", language is "typescript", $14.20 left today is over $5',
      "request: task code, language typescript, quality standard, 3,000 input tokens (medium), output cap 4,096",
      "rules:",
      '  no   edits    task is "code", not "edit"',
      '  yes  ts-code  task is "code", language is "typescript", $14.20 left today is over $5',
      "candidates:",
      "  1.  gpt (openai:gpt-5.4)                  kept: $0.0075–$0.0689",
      '  -   sonnet (anthropic:claude-sonnet-4-6)  dropped: provider "anthropic" unavailable — ANTHROPIC_API_KEY is not set',
      "  2.  local (ollama:qwen3:8b)               kept: free (local)",
      "outcome: try gpt first, then 1 more",
    ]);
  });

  test("best value shows its figures", () => {
    const request = testRequest({ task: "chat", estimatedInputTokens: 2000 });
    const state = testState({
      budgetLeftUsd: { day: 6 },
      history: [{ reference: "flash", task: "chat", calls: 8, successes: 1, averageCostUsd: 0.002, averageLatencyMs: 800 }],
    });
    const lines = explainDecision(decide(request, policy, state), request);
    assert.equal(lines[0], 'route: rule "medium" → best value of 2 models — complexity is medium (2,000 tokens)');
    // Every model's fresh chat calls: 1 of 8 → (1 + 2 × 0.5) / (8 + 2) = 20%; flash's own are the same 8 calls,
    // so it stays at 20% ($0.0020 / 0.2 = $0.0100); mini, untried, is taken to be like them ($0.00375 / 0.2 = $0.01875).
    assert.deepEqual(lines.slice(-3), [
      "  1.  flash (gemini:gemini-2.5-flash)  kept: $0.0006–$0.0031; best value #1: $0.0100 per success ($0.0020 average cost ÷ 20% estimated success, 1 of 8 calls on this task type succeeded)",
      "  2.  mini (openai:gpt-5.4-mini)       kept: $0.0015–$0.0060; best value #2: $0.0188 per success ($0.0038 estimated cost ÷ 20% estimated success, untried, like other models at this point: 1 of 8 of their calls succeeded)",
      "outcome: try flash first, then 1 more",
    ]);
  });

  test("emergency mode, drops, and a deferred step", () => {
    const request = testRequest({ task: "chat", quality: "premium", estimatedInputTokens: 30_000 });
    const state = testState({ budgetLeftUsd: { day: 0.6 } });
    assert.deepEqual(explainDecision(decide(request, policy, state), request), [
      "route: no rule matched → tier premium",
      "request: task chat, quality premium, 30,000 input tokens (complex), output cap 1,000",
      "rules:",
      '  no   edits    task is "chat", not "edit"',
      '  no   ts-code  task is "chat", not "code"',
      "  no   medium   complexity is complex (30,000 tokens), not medium",
      "emergency mode: $0.60 left today is under $1; only free providers are used",
      "candidates:",
      "  -   sonnet (anthropic:claude-sonnet-4-6)  dropped: emergency mode, $0.60 left today is under $1; only free providers (local, subscription) are used",
      "  -   gpt (openai:gpt-5.4)                  dropped: emergency mode, $0.60 left today is under $1; only free providers (local, subscription) are used",
      "outcome: defer — no model fits: 2 paid (emergency mode); deferred for 1h (when_exhausted: defer)",
    ]);
  });

  test("a pinned model, and a decision without the request", () => {
    const request = testRequest({ pinnedModel: "coder", sensitive: true, tags: ["release"], maxCostUsd: 0.05 });
    const decision = decide(request, policy, testState());
    assert.deepEqual(explainDecision(decision, request), [
      "route: model pinned by the step (coder)",
      "request: task chat, quality standard, 1,000 input tokens (medium), output cap 1,000, sensitive, tags release, max $0.05 a call",
      "candidates:",
      '  -   coder (agent:sonnet)  dropped: sensitive step, "agent" is not local',
      "outcome: fail — no model fits: 1 not local (sensitive step); waiting would not change that, so the step fails (when_exhausted: defer)",
    ]);
    assert.equal(explainDecision(decision)[1], "candidates:");
  });

  test("a local fallback says so in the outcome", () => {
    const localPolicy = testPolicy({ budget: { when_exhausted: "local" } });
    const request = testRequest({ quality: "premium" });
    const lines = explainDecision(decide(request, localPolicy, testState({ budgetLeftUsd: { day: 0 } })), request);
    assert.equal(lines.at(-1), "outcome: local fallback — no model fits: 2 over budget; falling back to local models (when_exhausted: local); try local first, then 1 more");
  });

  test("a stated value of an answer is said, with what it does", () => {
    const valued = { ...policy, value_usd: 0.05 };
    const lines = explainDecision(decide(testRequest({ task: "chat", estimatedInputTokens: 2000 }), valued, testState()));
    assert.equal(lines[lines.length - 1], "value: an accepted answer is worth $0.05; after a rejection, a model is tried only while its chance × that value covers its cost");
  });
});
