import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide } from "../../src/policy/decide.js";
import type { Decision, ModelHistory } from "../../src/policy/decision.js";
import { testPolicy, testRequest, testState } from "./fixtures.js";

const policy = testPolicy({
  rules: [{ name: "value", when: { task: "chat" }, use: { best_value: ["mini", "flash", "nano"] } }],
});

function history(reference: string, calls: number, successes: number, averageCostUsd: number, task = "chat"): ModelHistory {
  return { reference, task, calls, successes, averageCostUsd, averageLatencyMs: 900 };
}

function order(decision: Decision): string[] {
  return decision.candidates.map((candidate) => candidate.reference);
}

describe("best value", () => {
  test("untried models are ranked by their price estimate and a 50% prior success rate", () => {
    const decision = decide(testRequest(), policy, testState());
    assert.equal(decision.strategy, "best-value");
    assert.deepEqual(order(decision), ["nano", "flash", "mini"]);
    assert.deepEqual(decision.notes[0]?.bestValue, {
      calls: 0,
      successes: 0,
      successRate: 0.5,
      basis: "prior",
      costUsd: (0.00005 + 0.00045) / 2,
      costSource: "price",
      expectedCostPerSuccessUsd: 0.0005,
    });
    assert.equal(
      decision.notes[0]?.reason,
      "kept: $0.00005–$0.0005; best value #1: $0.0005 per success ($0.0003 estimated cost ÷ 50% estimated success, untried)",
    );
  });

  test("a cheap model that keeps failing loses to a dearer one that succeeds", () => {
    // All models on fresh chat requests: 30 of 50 → (30 + 2 × 0.5) / (50 + 2) = 31/52.
    // flash: (29 + 2 × 31/52) / (30 + 2) = 0.9435 → $0.0011 / 0.9435 = $0.00117;
    // nano:  (1 + 2 × 31/52) / (20 + 2) = 0.0997 → $0.0002 / 0.0997 = $0.00201.
    const state = testState({ history: [history("nano", 20, 1, 0.0002), history("flash", 30, 29, 0.0011)] });
    const decision = decide(testRequest(), policy, state);
    assert.deepEqual(order(decision), ["flash", "nano", "mini"]);
    assert.equal(
      decision.notes[0]?.reason,
      "kept: $0.0003–$0.0028; best value #1: $0.0012 per success ($0.0011 average cost ÷ 94% estimated success, 29 of 30 calls on this task type succeeded)",
    );
    assert.equal(
      decision.notes[1]?.reason,
      "kept: $0.00005–$0.0005; best value #2: $0.0020 per success ($0.0002 average cost ÷ 10% estimated success, 1 of 20 calls on this task type succeeded)",
    );
  });

  test("the prior lets a new model be tried against an established one", () => {
    // flash has a fine record at $0.0011 a call; mini is untried but its estimate is far higher, nano is untried and cheap.
    const state = testState({ history: [history("flash", 100, 98, 0.0011)] });
    assert.deepEqual(order(decide(testRequest(), policy, state)), ["nano", "flash", "mini"]);
  });

  test("history is matched by alias or provider:model, and only for the same task type", () => {
    const state = testState({
      history: [history("openai:gpt-5-nano", 10, 0, 0.0002), history("nano", 10, 10, 0.0002, "code")],
    });
    const nano = decide(testRequest(), policy, state).notes.find((note) => note.reference === "nano");
    assert.equal(nano?.bestValue?.calls, 10);
    assert.equal(nano?.bestValue?.successes, 0);
  });

  test("dropped models keep their reason and come after the ranked ones", () => {
    const state = testState({ providerOverrides: { openai: { available: false, reason: "OPENAI_API_KEY is not set" } } });
    const decision = decide(testRequest(), policy, state);
    assert.deepEqual(order(decision), ["flash"]);
    assert.deepEqual(
      decision.notes.map((note) => [note.reference, note.kept]),
      [
        ["flash", true],
        ["mini", false],
        ["nano", false],
      ],
    );
  });

  test("free models cost nothing per success and go first; ties keep the written order", () => {
    const withLocal = testPolicy({ rules: [{ name: "value", use: { best_value: ["mini", "coder", "local"] } }] });
    const decision = decide(testRequest(), withLocal, testState());
    assert.deepEqual(order(decision), ["coder", "local", "mini"]);
    assert.equal(decision.notes[0]?.bestValue?.expectedCostPerSuccessUsd, 0);
  });
});
