import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Condition } from "../../src/generated/routing-policy.js";
import { evaluateCondition, type ConditionFacts } from "../../src/policy/conditions.js";
import { complexityOf } from "../../src/policy/complexity.js";
import type { RouteRequest, RoutingState } from "../../src/policy/decision.js";
import { testRequest } from "./fixtures.js";

function facts(request: Partial<RouteRequest> = {}, budgetLeftUsd: RoutingState["budgetLeftUsd"] = {}): ConditionFacts {
  const full = testRequest(request);
  return { request: full, complexity: complexityOf(full.estimatedInputTokens), budgetLeftUsd };
}

function check(condition: Condition, given: ConditionFacts): [boolean, string] {
  const result = evaluateCondition(condition, given);
  return [result.matched, result.reason];
}

describe("conditions", () => {
  test("task: one value or a list", () => {
    assert.deepEqual(check({ task: "code" }, facts({ task: "code" })), [true, 'task is "code"']);
    assert.deepEqual(check({ task: "code" }, facts({ task: "writing" })), [false, 'task is "writing", not "code"']);
    assert.deepEqual(check({ task: ["code", "docs"] }, facts({ task: "docs" })), [true, 'task is "docs"']);
    assert.deepEqual(check({ task: ["code", "docs"] }, facts({ task: "chat" })), [false, 'task is "chat", not code or docs']);
  });

  test("language ignores case and says when none was given", () => {
    assert.deepEqual(check({ language: ["typescript", "javascript"] }, facts({ language: "TypeScript" })), [true, 'language is "typescript"']);
    assert.deepEqual(check({ language: "python" }, facts()), [false, 'no language given, not "python"']);
  });

  test("quality and step", () => {
    assert.deepEqual(check({ quality: "premium" }, facts({ quality: "premium" })), [true, 'quality is "premium"']);
    assert.deepEqual(check({ quality: ["economy", "standard"] }, facts({ quality: "premium" })), [false, 'quality is "premium", not economy or standard']);
    assert.deepEqual(check({ step: "summarise" }, facts({ step: "draft" })), [false, 'step is "draft", not "summarise"']);
    assert.deepEqual(check({ step: ["draft", "review"] }, facts({ step: "draft" })), [true, 'step is "draft"']);
  });

  test("tags match when the step has any of them", () => {
    assert.deepEqual(check({ tags: ["release", "nightly"] }, facts({ tags: ["nightly"] })), [true, 'tagged "nightly"']);
    assert.deepEqual(check({ tags: "release" }, facts({ tags: ["docs"] })), [false, 'not tagged "release"']);
    assert.deepEqual(check({ tags: ["release", "nightly"] }, facts()), [false, 'not tagged "release" or "nightly"']);
  });

  test("sensitive, either way", () => {
    assert.deepEqual(check({ sensitive: true }, facts({ sensitive: true })), [true, "the step is sensitive"]);
    assert.deepEqual(check({ sensitive: true }, facts()), [false, "the step is not sensitive"]);
    assert.deepEqual(check({ sensitive: false }, facts()), [true, "the step is not sensitive"]);
  });

  test("tokens: every bound given must hold", () => {
    const condition: Condition = { tokens: { gte: 1000, lt: 10_000 } };
    assert.deepEqual(check(condition, facts({ estimatedInputTokens: 3000 })), [true, "3,000 tokens is under 10,000 and at least 1,000"]);
    assert.deepEqual(check(condition, facts({ estimatedInputTokens: 999 })), [false, "999 tokens is not at least 1,000"]);
    assert.deepEqual(check({ tokens: { lte: 500, gt: 100 } }, facts({ estimatedInputTokens: 600 })), [false, "600 tokens is not at most 500"]);
    assert.deepEqual(check({ tokens: { gt: 100 } }, facts({ estimatedInputTokens: 100 })), [false, "100 tokens is not over 100"]);
  });

  test("complexity bands", () => {
    assert.deepEqual(check({ complexity: "medium" }, facts({ estimatedInputTokens: 4000 })), [true, "complexity is medium (4,000 tokens)"]);
    assert.deepEqual(
      check({ complexity: ["trivial", "simple"] }, facts({ estimatedInputTokens: 12_000 })),
      [false, "complexity is complex (12,000 tokens), not trivial or simple"],
    );
  });

  test("budget_left_usd: a named scope", () => {
    const left = { run: 2, day: 14.2, month: 80 };
    assert.deepEqual(check({ budget_left_usd: { scope: "day", gt: 5 } }, facts({}, left)), [true, "$14.20 left today is over $5"]);
    assert.deepEqual(check({ budget_left_usd: { scope: "month", lt: 50 } }, facts({}, left)), [false, "$80.00 left this month is not under $50"]);
    assert.deepEqual(check({ budget_left_usd: { scope: "run", gte: 2 } }, facts({}, left)), [true, "$2.00 left this run is at least $2"]);
  });

  test("budget_left_usd: without a scope, the tightest scope counts", () => {
    const left = { run: 2, day: 14.2, month: 80 };
    assert.deepEqual(check({ budget_left_usd: { gt: 5 } }, facts({}, left)), [false, "$2.00 left this run is not over $5"]);
    assert.deepEqual(check({ budget_left_usd: { scope: "any", lte: 2 } }, facts({}, left)), [true, "$2.00 left this run is at most $2"]);
  });

  test("budget_left_usd: a scope without a limit has unlimited money left", () => {
    assert.deepEqual(check({ budget_left_usd: { scope: "day", gt: 5 } }, facts({}, { month: 3 })), [true, "unlimited money left (no daily limit) is over $5"]);
    assert.deepEqual(check({ budget_left_usd: { lt: 1 } }, facts({}, {})), [false, "unlimited money left (no budget limit) is not under $1"]);
  });

  test("every key of one condition must hold; the first that fails is the reason", () => {
    const condition: Condition = { task: "code", language: "typescript", budget_left_usd: { scope: "day", gt: 5 } };
    assert.deepEqual(
      check(condition, facts({ task: "code", language: "typescript" }, { day: 12 })),
      [true, 'task is "code", language is "typescript", $12.00 left today is over $5'],
    );
    assert.deepEqual(check(condition, facts({ task: "code", language: "typescript" }, { day: 3 })), [false, "$3.00 left today is not over $5"]);
  });

  test("all, any and not compose", () => {
    const condition: Condition = {
      any: [{ quality: "premium" }, { all: [{ tags: "release" }, { not: { complexity: "trivial" } }] }],
    };
    assert.deepEqual(check(condition, facts({ quality: "premium" })), [true, 'quality is "premium"']);
    assert.deepEqual(
      check(condition, facts({ tags: ["release"], estimatedInputTokens: 500 })),
      [true, 'tagged "release"; complexity is simple (500 tokens), not trivial'],
    );
    assert.deepEqual(
      check(condition, facts({ tags: ["release"], estimatedInputTokens: 20 })),
      [false, 'none of: quality is "standard", not "premium"; complexity is trivial (20 tokens)'],
    );
  });

  test("an empty condition always matches", () => {
    assert.deepEqual(check({}, facts()), [true, "always"]);
  });
});
