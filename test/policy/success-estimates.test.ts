import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SuccessEstimates, type CallObservation } from "../../src/policy/success-estimates.js";

function calls(count: number, accepted: number, observation: Omit<CallObservation, "accepted" | "costUsd">): CallObservation[] {
  return Array.from({ length: count }, (_, index) => ({ ...observation, accepted: index < accepted, costUsd: 0.001 }));
}

describe("success estimates", () => {
  // A cascade's history: the cheap model answers every request first (55 of 100 accepted); the
  // strong one only ever sees the 45 it failed, and 5 of those are accepted.
  const cheap = "openai:cheap";
  const strong = "openai:strong";
  const biased = SuccessEstimates.of([
    ...calls(55, 55, { target: cheap, task: "code", failedBefore: [] }),
    ...calls(45, 0, { target: cheap, task: "code", failedBefore: [] }),
    ...calls(45, 5, { target: strong, task: "code", failedBefore: [cheap] }),
  ]);

  test("a model seen only after failures is not read as weak on fresh requests", () => {
    // Raw rate: 5 / 45 = 11%. On a fresh request the strong model has no calls of its own, so it
    // takes every model's fresh figure: (55 + 2 × 0.5) / (100 + 2) = 56/102.
    const fresh = biased.estimate(strong, { task: "code", failedBefore: [] });
    assert.equal(fresh.probability, 56 / 102);
    assert.equal(fresh.level, "all-models");
    assert.notEqual(Math.round(fresh.probability * 100), Math.round((5 / 45) * 100));
  });

  test("after the cheap model failed, the strong model's own record in that situation counts", () => {
    // All calls after a failure: 5 of 45 → (5 + 1) / (45 + 2); the strong model's own calls are the
    // same 45, counted once.
    const afterCheap = biased.estimate(strong, { task: "code", failedBefore: [cheap] });
    assert.equal(afterCheap.probability, 6 / 47);
    assert.equal(afterCheap.level, "task");
    assert.deepEqual([afterCheap.calls, afterCheap.successes], [45, 5]);
  });

  test("a language with few calls is shrunk toward the task type's figure", () => {
    const estimates = SuccessEstimates.of([
      ...calls(96, 60, { target: cheap, task: "code", language: "typescript", failedBefore: [] }),
      ...calls(4, 0, { target: cheap, task: "code", language: "go", failedBefore: [] }),
    ]);
    // Task type: (60 + 1) / (100 + 2) = 61/102; Go alone: (0 + 2 × 61/102) / (4 + 2) = 0.1993 (raw: 0 of 4).
    const go = estimates.estimate(cheap, { task: "code", language: "go", failedBefore: [] });
    assert.ok(Math.abs(go.probability - (2 * (61 / 102)) / 6) < 1e-12);
    assert.equal(go.level, "task-language");
    const anyLanguage = estimates.estimate(cheap, { task: "code", failedBefore: [] });
    assert.equal(anyLanguage.probability, 61 / 102);
  });

  test("every settled call moves the next estimate", () => {
    const estimates = new SuccessEstimates();
    assert.equal(estimates.estimate(cheap, { task: "chat", failedBefore: [] }).probability, 0.5);
    estimates.add({ target: cheap, task: "chat", failedBefore: [], accepted: false, costUsd: 0.002 });
    // (0 + 2 × 0.5) / (1 + 2)
    assert.equal(estimates.estimate(cheap, { task: "chat", failedBefore: [] }).probability, 1 / 3);
    assert.equal(estimates.averageCostUsd(cheap, "chat"), 0.002);
  });

  test("the order in which earlier models failed does not matter", () => {
    const estimates = SuccessEstimates.of(calls(3, 3, { target: strong, task: "code", failedBefore: ["b:x", "a:y"] }));
    assert.equal(estimates.estimate(strong, { task: "code", failedBefore: ["a:y", "b:x"] }).level, "task");
  });

  test("on a fresh request, a model's record after rejections is a floor for its figure", () => {
    const estimates = SuccessEstimates.of([
      ...calls(8, 0, { target: cheap, task: "code", failedBefore: [] }),
      ...calls(8, 6, { target: strong, task: "code", failedBefore: [cheap] }),
    ]);
    // Fresh: every model's 0 of 8 → (0 + 1) / (8 + 2) = 10%; the strong model after a rejection:
    // (6 + 2 × 0.5) / (8 + 2) = 70%, its own 8 calls the same ones: 70% is its fresh figure.
    const fresh = estimates.estimate(strong, { task: "code", failedBefore: [] });
    assert.deepEqual(fresh, { probability: 0.7, level: "depth", calls: 8, successes: 6 });
    // The cheap model has no record after rejections: other models' is no floor for it.
    assert.equal(estimates.estimate(cheap, { task: "code", failedBefore: [] }).probability, 0.1);
  });
});
