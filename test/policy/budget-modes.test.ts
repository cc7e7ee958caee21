import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Budget } from "../../src/generated/routing-policy.js";
import { decide } from "../../src/policy/decide.js";
import type { Decision } from "../../src/policy/decision.js";
import { testPolicy, testRequest, testState } from "./fixtures.js";

function notes(decision: Decision): string[] {
  return decision.notes.map((note) => `${note.reference}: ${note.reason}`);
}

function policyWith(budget: Budget) {
  return testPolicy({ budget: { time_zone: "UTC", ...budget } });
}

describe("emergency mode", () => {
  test("under the threshold, only free providers are kept and each paid one says why", () => {
    const decision = decide(testRequest(), policyWith({ emergency_below_usd: 1 }), testState({ budgetLeftUsd: { day: 0.8, month: 40 } }));
    assert.deepEqual(decision.emergency, { scope: "day", leftUsd: 0.8, thresholdUsd: 1 });
    assert.deepEqual(notes(decision), [
      "mini: dropped: emergency mode, $0.80 left today is under $1; only free providers (local, subscription) are used",
      "flash: dropped: emergency mode, $0.80 left today is under $1; only free providers (local, subscription) are used",
      "local: kept: free (local)",
    ]);
    assert.equal(decision.notes[0]?.check, "emergency");
  });

  test("a single threshold applies to the tightest scope", () => {
    const decision = decide(testRequest(), policyWith({ emergency_below_usd: 1 }), testState({ budgetLeftUsd: { run: 0.5, day: 10 } }));
    assert.deepEqual(decision.emergency, { scope: "run", leftUsd: 0.5, thresholdUsd: 1 });
  });

  test("per-scope thresholds only look at their own scope", () => {
    const policy = policyWith({ emergency_below_usd: { month: 5 } });
    assert.equal(decide(testRequest(), policy, testState({ budgetLeftUsd: { day: 0.5, month: 30 } })).emergency, undefined);
    assert.deepEqual(decide(testRequest(), policy, testState({ budgetLeftUsd: { day: 9, month: 4 } })).emergency, {
      scope: "month",
      leftUsd: 4,
      thresholdUsd: 5,
    });
  });

  test("at or above the threshold, and without limits, nothing changes", () => {
    const policy = policyWith({ emergency_below_usd: 1 });
    assert.equal(decide(testRequest(), policy, testState({ budgetLeftUsd: { day: 1 } })).emergency, undefined);
    assert.equal(decide(testRequest(), policy, testState()).emergency, undefined);
    assert.equal(decide(testRequest(), policy, testState({ budgetLeftUsd: { day: 1 } })).candidates[0]?.reference, "mini");
  });

  test("a subscription counts as free", () => {
    const decision = decide(testRequest({ pinnedModel: "coder" }), policyWith({ emergency_below_usd: 1 }), testState({ budgetLeftUsd: { day: 0 } }));
    assert.deepEqual(notes(decision), ["coder: kept: free (subscription)"]);
  });
});

describe("when nothing is left: when_exhausted", () => {
  const spent = testState({ budgetLeftUsd: { day: 0.001 } });
  const premium = testRequest({ quality: "premium" });

  test("fail (the default) says what was dropped", () => {
    const decision = decide(premium, policyWith({}), spent);
    assert.deepEqual(decision.candidates, []);
    assert.deepEqual(decision.exhausted, { action: "fail", reason: "no model fits: 2 over budget; the step fails (when_exhausted: fail)" });
  });

  test("defer gives a retry-after from defer_for", () => {
    const decision = decide(premium, policyWith({ when_exhausted: "defer", defer_for: "1h30m" }), spent);
    assert.deepEqual(decision.exhausted, {
      action: "defer",
      retryAfterMs: 90 * 60_000,
      reason: "no model fits: 2 over budget; deferred for 1h30m (when_exhausted: defer)",
    });
  });

  test("defer waits one hour when defer_for is not given", () => {
    const decision = decide(premium, policyWith({ when_exhausted: "defer" }), spent);
    assert.equal(decision.exhausted?.retryAfterMs, 3_600_000);
  });

  test("defer fails at once when waiting cannot help", () => {
    const decision = decide(testRequest({ quality: "premium", sensitive: true }), policyWith({ when_exhausted: "defer" }), testState());
    assert.deepEqual(decision.exhausted, {
      action: "fail",
      reason: "no model fits: 2 not local (sensitive step); waiting would not change that, so the step fails (when_exhausted: defer)",
    });
  });

  test("local falls back to the policy's local models, checked like any candidate", () => {
    const decision = decide(premium, policyWith({ when_exhausted: "local" }), spent);
    assert.equal(decision.exhausted?.action, "local");
    assert.equal(decision.exhausted?.reason, "no model fits: 2 over budget; falling back to local models (when_exhausted: local)");
    assert.deepEqual(
      decision.candidates.map((candidate) => candidate.reference),
      ["local", "small"],
    );
    assert.deepEqual(notes(decision).slice(2), ["local: kept: free (local)", "small: kept: free (local)"]);
  });

  test("local fails when no local model is up either", () => {
    const state = testState({ budgetLeftUsd: { day: 0 }, providerOverrides: { ollama: { available: false, reason: "Ollama is not running" } } });
    const decision = decide(premium, policyWith({ when_exhausted: "local" }), state);
    assert.equal(decision.exhausted?.action, "fail");
    assert.equal(decision.exhausted?.reason, "no model fits: 2 over budget; no local model is available either (when_exhausted: local)");
    assert.deepEqual(notes(decision).slice(2), [
      'local: dropped: provider "ollama" unavailable — Ollama is not running',
      'small: dropped: provider "ollama" unavailable — Ollama is not running',
    ]);
  });

  test("local fails when the policy has no local model", () => {
    const policy = testPolicy({
      models: { gpt: "openai:gpt-5.4" },
      tiers: { economy: ["gpt"], standard: ["gpt"], premium: ["gpt"] },
      budget: { when_exhausted: "local" },
    });
    const decision = decide(testRequest(), policy, testState({ budgetLeftUsd: { day: 0 } }));
    assert.equal(decision.exhausted?.reason, "no model fits: 1 over budget; the policy has no local model (when_exhausted: local)");
  });

  test("the summary counts every kind of drop", () => {
    const state = testState({
      budgetLeftUsd: { day: 0.001 },
      providerOverrides: { gemini: { available: false }, ollama: { coolingDownUntil: Date.UTC(2030, 0, 1) } },
    });
    const decision = decide(testRequest(), policyWith({}), state);
    assert.equal(decision.exhausted?.reason, "no model fits: 1 over budget, 1 unavailable, 1 cooling down; the step fails (when_exhausted: fail)");
  });
});
