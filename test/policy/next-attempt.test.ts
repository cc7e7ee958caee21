import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide } from "../../src/policy/decide.js";
import { nextAttempt } from "../../src/policy/next-attempt.js";
import { SuccessEstimates, type CallObservation } from "../../src/policy/success-estimates.js";
import { testPolicy, testRequest, testState } from "./fixtures.js";

const nano = "openai:gpt-5-nano";
const mini = "openai:gpt-5.4-mini";

function calls(count: number, accepted: number, target: string, failedBefore: string[], costUsd: number): CallObservation[] {
  return Array.from({ length: count }, (_, index) => ({ target, task: "chat", failedBefore, accepted: index < accepted, costUsd }));
}

// After nano's answer was rejected, mini was asked 10 times and accepted once; a call of mini costs $0.004.
const estimates = SuccessEstimates.of(calls(10, 1, mini, [nano], 0.004));

function afterNanoRejected(valueUsd: number | undefined, use: "best_value" | "chain" = "best_value") {
  const policy = testPolicy({
    rules: [{ name: "value", use: use === "best_value" ? { best_value: ["nano", "mini"] } : ["nano", "mini"] }],
    ...(valueUsd === undefined ? {} : { value_usd: valueUsd }),
  });
  const request = testRequest();
  const decision = decide(request, policy, testState({ estimates }));
  assert.equal(decision.candidates[0]?.reference, "nano");
  return nextAttempt({
    request,
    remaining: decision.candidates.slice(1),
    rejected: [nano],
    estimates,
    strategy: decision.strategy!,
    ...(decision.valueUsd === undefined ? {} : { valueUsd: decision.valueUsd }),
  });
}

describe("the stopping rule", () => {
  // P(mini | nano rejected) = (1 + 2 × 0.5) / (10 + 2) = 1/6; one standard error more:
  // 1/6 + sqrt((1/6 × 5/6) / (10 + 3)) = 0.2700. Worth 0.2700 × value against a $0.004 call.
  test("stops when the expected value of the next call is below its cost", () => {
    const next = afterNanoRejected(0.01); // 0.2700 × $0.01 = $0.0027 < $0.004
    assert.equal(next.kind, "stop");
    assert.equal(
      next.kind === "stop" && next.reason,
      "stopped after 1 rejected answer: no model left is worth its cost at value_usd $0.01 — " +
        "mini: 27% chance at best × $0.0100 = $0.0027 expected < $0.0040 cost (17% estimated, 1 of 10 calls on this task type succeeded)",
    );
  });

  test("goes on when it is worth it", () => {
    const next = afterNanoRejected(0.02); // 0.2700 × $0.02 = $0.0054 ≥ $0.004
    assert.equal(next.kind, "attempt");
    assert.equal(next.kind === "attempt" && next.candidate.reference, "mini");
  });

  test("without a value, every candidate is tried", () => {
    assert.equal(afterNanoRejected(undefined).kind, "attempt");
  });

  test("applies to a written chain too", () => {
    assert.equal(afterNanoRejected(0.01, "chain").kind, "stop");
  });
});
