import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide } from "../../src/policy/decide.js";
import type { Decision } from "../../src/policy/decision.js";
import { testPolicy, testRequest, testState } from "./fixtures.js";

/** `reference: reason` per note, the way a user reads them. */
function notes(decision: Decision): string[] {
  return decision.notes.map((note) => `${note.reference}: ${note.reason}`);
}

function firstReferences(decision: Decision): string[] {
  return decision.candidates.map((candidate) => candidate.reference);
}

describe("choosing the chain", () => {
  const policy = testPolicy({
    rules: [
      { name: "edits", when: { task: "edit" }, use: ["coder", "mini"] },
      { name: "code", when: { task: "code" }, use: ["gpt", "sonnet"] },
      { name: "anything-code-like", when: { task: ["code", "edit", "docs"] }, use: ["flash"] },
      { name: "cheap", when: { tags: "cheap" }, use: "economy" },
    ],
  });

  test("the first matching rule wins, and the rules passed over are recorded", () => {
    const decision = decide(testRequest({ task: "code" }), policy, testState());
    assert.equal(decision.matched, "code");
    assert.deepEqual(firstReferences(decision), ["gpt", "sonnet"]);
    assert.deepEqual(decision.rules, [
      { rule: "edits", matched: false, reason: 'task is "code", not "edit"' },
      { rule: "code", matched: true, reason: 'task is "code"' },
    ]);
    assert.equal(decision.strategy, "chain");
  });

  test("a later rule matches when earlier ones do not", () => {
    const decision = decide(testRequest({ task: "docs" }), policy, testState());
    assert.equal(decision.matched, "anything-code-like");
    assert.deepEqual(firstReferences(decision), ["flash"]);
  });

  test("a rule may use a tier by name", () => {
    const decision = decide(testRequest({ tags: ["cheap"] }), policy, testState());
    assert.equal(decision.matched, "cheap");
    assert.equal(decision.tier, "economy");
    assert.deepEqual(firstReferences(decision), ["local", "nano"]);
  });

  test("no rule matched: the chain of the request's quality tier", () => {
    const decision = decide(testRequest({ quality: "premium" }), policy, testState());
    assert.equal(decision.matched, "tier:premium");
    assert.equal(decision.tier, "premium");
    assert.deepEqual(firstReferences(decision), ["sonnet", "gpt"]);
    assert.equal(decision.rules?.length, 4);
  });

  test("a pinned model bypasses rules and tiers but not the checks", () => {
    const decision = decide(testRequest({ task: "code", pinnedModel: "openai:gpt-5.4-mini" }), policy, testState());
    assert.equal(decision.matched, "pinned");
    assert.deepEqual(decision.rules, []);
    assert.deepEqual(notes(decision), ["openai:gpt-5.4-mini: kept: $0.0008–$0.0053"]);

    const sensitive = decide(testRequest({ pinnedModel: "sonnet", sensitive: true }), policy, testState());
    assert.deepEqual(notes(sensitive), ['sonnet: dropped: sensitive step, "anthropic" is not local']);
    assert.equal(sensitive.exhausted?.action, "fail");
  });

  test("the complexity band of the estimate is part of the decision", () => {
    assert.equal(decide(testRequest({ estimatedInputTokens: 99 }), policy, testState()).complexity, "trivial");
    assert.equal(decide(testRequest({ estimatedInputTokens: 50_000 }), policy, testState()).complexity, "massive");
  });
});

describe("checking each candidate", () => {
  const policy = testPolicy();

  test("fallback order is kept, and every candidate gets a note with its cost range", () => {
    const decision = decide(testRequest(), policy, testState());
    assert.deepEqual(firstReferences(decision), ["mini", "flash", "local"]);
    assert.deepEqual(notes(decision), [
      "mini: kept: $0.0008–$0.0053",
      "flash: kept: $0.0003–$0.0028",
      "local: kept: free (local)",
    ]);
    const [mini] = decision.candidates;
    assert.deepEqual(mini?.estimatedCostUsd, { min: 0.00075, max: 0.00525 });
    assert.equal(mini?.provider, "openai");
    assert.equal(mini?.model, "gpt-5.4-mini");
    assert.deepEqual(decision.notes.map((note) => note.target), ["openai:gpt-5.4-mini", "gemini:gemini-2.5-flash", "ollama:qwen3:8b"]);
  });

  test("an unavailable provider is dropped with the reason the provider gave", () => {
    const state = testState({ providerOverrides: { openai: { available: false, reason: "OPENAI_API_KEY is not set" } } });
    const decision = decide(testRequest(), policy, state);
    assert.deepEqual(firstReferences(decision), ["flash", "local"]);
    assert.equal(notes(decision)[0], 'mini: dropped: provider "openai" unavailable — OPENAI_API_KEY is not set');
    assert.equal(decision.notes[0]?.check, "unavailable");
  });

  test("a provider missing from the state counts as unavailable", () => {
    const state = testState();
    const { gemini: _gemini, ...providers } = state.providers;
    const decision = decide(testRequest(), policy, { ...state, providers });
    assert.equal(notes(decision)[1], 'flash: dropped: provider "gemini" was not checked for availability');
  });

  test("sensitive steps keep only local providers", () => {
    const decision = decide(testRequest({ sensitive: true }), policy, testState());
    assert.deepEqual(firstReferences(decision), ["local"]);
    assert.deepEqual(notes(decision), [
      'mini: dropped: sensitive step, "openai" is not local',
      'flash: dropped: sensitive step, "gemini" is not local',
      "local: kept: free (local)",
    ]);
  });

  test("a subscription is free but not local", () => {
    const decision = decide(testRequest({ pinnedModel: "coder" }), policy, testState());
    assert.deepEqual(notes(decision), ["coder: kept: free (subscription)"]);
    assert.deepEqual(decision.candidates[0]?.estimatedCostUsd, { min: 0, max: 0 });
    assert.equal(decision.candidates[0]?.prices, undefined);
  });

  test("a provider cooling down is skipped until the time shown", () => {
    const state = testState({ providerOverrides: { openai: { coolingDownUntil: Date.UTC(2025, 2, 10, 14, 5) } } });
    const decision = decide(testRequest(), policy, state);
    assert.equal(notes(decision)[0], "mini: dropped: cooling down until 14:05 after repeated failures");
    assert.equal(decision.notes[0]?.check, "cooling-down");
  });

  test("a cool-down that has ended no longer counts", () => {
    const state = testState({ providerOverrides: { openai: { coolingDownUntil: Date.UTC(2025, 2, 10, 13, 59) } } });
    assert.equal(decide(testRequest(), policy, state).candidates[0]?.reference, "mini");
  });

  test("the step's max_cost_usd drops models whose worst case is above it", () => {
    const decision = decide(testRequest({ quality: "premium", estimatedInputTokens: 4000, maxOutputTokens: 2000, maxCostUsd: 0.02 }), policy, testState());
    assert.deepEqual(notes(decision), [
      "sonnet: dropped: worst case $0.0420 exceeds step max_cost_usd $0.02",
      "gpt: dropped: worst case $0.0400 exceeds step max_cost_usd $0.02",
    ]);
    assert.equal(decision.exhausted?.action, "fail");
  });

  test("a candidate whose worst case does not fit what is left is dropped, naming the tightest scope", () => {
    const request = testRequest({ quality: "premium", estimatedInputTokens: 20_000, maxOutputTokens: 16_000 });
    const decision = decide(request, policy, testState({ budgetLeftUsd: { run: 5, day: 0.12, month: 0.2 } }));
    assert.deepEqual(notes(decision), [
      "sonnet: dropped: worst case $0.30 exceeds $0.12 left today",
      "gpt: dropped: worst case $0.29 exceeds $0.12 left today",
    ]);
    assert.equal(decision.notes[0]?.check, "budget");
  });

  test("a metered model without a known price is dropped, with the fix", () => {
    const decision = decide(testRequest({ pinnedModel: "openai:gpt-9" }), policy, testState());
    assert.deepEqual(notes(decision), [
      "openai:gpt-9: dropped: no price known for openai:gpt-9, so its cost cannot be held against the budget; add prices: to the model in the policy",
    ]);
  });

  test("prices written in the policy are used when the price table has none", () => {
    const withPrices = testPolicy({ models: { custom: { model: "openai:ft-model", prices: { input: 2, output: 8 } } } });
    const decision = decide(testRequest({ pinnedModel: "custom" }), withPrices, testState());
    assert.deepEqual(notes(decision), ["custom: kept: $0.0020–$0.0100"]);
    assert.deepEqual(decision.candidates[0]?.prices, { input: 2, output: 8, source: "policy" });
  });

  test("an input too large for the model's context window is dropped", () => {
    const decision = decide(testRequest({ pinnedModel: "small", estimatedInputTokens: 9000 }), policy, testState());
    assert.deepEqual(notes(decision), ["small: dropped: 9,000 input tokens do not fit its 8,192-token context window"]);
  });

  test("the model's output cap limits the worst case", () => {
    const capped = testPolicy({ models: { mini: { model: "openai:gpt-5.4-mini", max_output_tokens: 100 } } });
    const decision = decide(testRequest({ pinnedModel: "mini", maxOutputTokens: 10_000 }), capped, testState());
    assert.deepEqual(decision.candidates[0]?.estimatedCostUsd, { min: 0.00075, max: 0.0012 });
  });

  test("an unknown reference and a repeated model are dropped with a reason", () => {
    const repeated = testPolicy({ tiers: { economy: ["nano"], standard: ["mini", "minni", "openai:gpt-5.4-mini"], premium: ["gpt"] } });
    const decision = decide(testRequest(), repeated, testState());
    assert.deepEqual(notes(decision), [
      "mini: kept: $0.0008–$0.0053",
      'minni: dropped: unknown model alias "minni" (did you mean "mini"?)',
      "openai:gpt-5.4-mini: dropped: openai:gpt-5.4-mini is already listed earlier",
    ]);
    assert.deepEqual(firstReferences(decision), ["mini"]);
  });

  test("the checks come in order: sensitivity before availability before money", () => {
    const state = testState({ budgetLeftUsd: { day: 0 }, providerOverrides: { openai: { available: false, reason: "no key" } } });
    const decision = decide(testRequest({ sensitive: true, pinnedModel: "mini" }), policy, state);
    assert.equal(decision.notes[0]?.check, "sensitive");
    const notSensitive = decide(testRequest({ pinnedModel: "mini" }), policy, state);
    assert.equal(notSensitive.notes[0]?.check, "unavailable");
  });

  test("decide is deterministic and does not change its inputs", () => {
    const request = testRequest();
    const state = testState({ budgetLeftUsd: { day: 3 } });
    const snapshot = JSON.stringify({ request, policy, state });
    assert.deepEqual(decide(request, policy, state), decide(request, policy, state));
    assert.equal(JSON.stringify({ request, policy, state }), snapshot);
  });
});
