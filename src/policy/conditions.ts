/**
 * The condition evaluator: one `when:` block against the facts of a request. Every key given
 * must hold; `all`, `any` and `not` compose. Besides matched or not, it returns the clause that
 * decided, written for a person (`$3.00 left today is not over $5`), which `--explain` prints.
 */
import type { Comparison, Condition, StringOrList } from "../generated/routing-policy.js";
import { moneyLeft } from "./budget-left.js";
import type { Complexity, RouteRequest, RoutingState } from "./decision.js";
import { formatAlternatives, formatBalance, formatCount, formatLimit, scopeWords } from "./format.js";

export interface ConditionFacts {
  request: RouteRequest;
  complexity: Complexity;
  budgetLeftUsd: RoutingState["budgetLeftUsd"];
}

export interface ConditionResult {
  matched: boolean;
  /** The deciding clause: the first that failed, or every clause that held. */
  reason: string;
}

type Clause = (facts: ConditionFacts) => ConditionResult;

export function evaluateCondition(condition: Condition, facts: ConditionFacts): ConditionResult {
  const held: string[] = [];
  for (const clause of clausesOf(condition)) {
    const result = clause(facts);
    if (!result.matched) return result;
    held.push(result.reason);
  }
  return { matched: true, reason: held.length ? held.join(", ") : "always" };
}

/** The keys of one condition as clauses, in a fixed order so reasons read the same every time. */
function clausesOf(condition: Condition): Clause[] {
  const clauses: Clause[] = [];
  const { task, language, quality, step, tags, sensitive, tokens, complexity, budget_left_usd: budgetLeft } = condition;
  if (task !== undefined) clauses.push((facts) => oneOf("task", facts.request.task, task));
  if (language !== undefined) clauses.push((facts) => oneOf("language", facts.request.language?.toLowerCase(), language, true));
  if (quality !== undefined) clauses.push((facts) => oneOf("quality", facts.request.quality, quality));
  if (step !== undefined) clauses.push((facts) => oneOf("step", facts.request.step, step));
  if (tags !== undefined) clauses.push((facts) => anyTag(facts.request.tags, listOf(tags)));
  if (sensitive !== undefined) {
    clauses.push((facts) => ({
      matched: facts.request.sensitive === sensitive,
      reason: facts.request.sensitive ? "the step is sensitive" : "the step is not sensitive",
    }));
  }
  if (tokens !== undefined) {
    clauses.push((facts) => compare(facts.request.estimatedInputTokens, `${formatCount(facts.request.estimatedInputTokens)} tokens`, tokens, formatCount));
  }
  if (complexity !== undefined) {
    clauses.push((facts) => {
      const wanted = listOf(complexity);
      const subject = `complexity is ${facts.complexity} (${formatCount(facts.request.estimatedInputTokens)} tokens)`;
      const matched = wanted.includes(facts.complexity);
      return { matched, reason: matched ? subject : `${subject}, not ${formatAlternatives(wanted)}` };
    });
  }
  if (budgetLeft !== undefined) {
    clauses.push((facts) => {
      const scope = budgetLeft.scope ?? "any";
      const left = moneyLeft(facts.budgetLeftUsd, scope);
      if (!left) {
        const limit = { any: "budget", run: "run", day: "daily", month: "monthly" }[scope];
        return compare(Number.POSITIVE_INFINITY, `unlimited money left (no ${limit} limit)`, budgetLeft, formatLimit);
      }
      return compare(left.leftUsd, `${formatBalance(left.leftUsd)} left ${scopeWords(left.scope)}`, budgetLeft, formatLimit);
    });
  }
  if (condition.all !== undefined) {
    const parts = condition.all;
    clauses.push((facts) => {
      const held: string[] = [];
      for (const part of parts) {
        const result = evaluateCondition(part, facts);
        if (!result.matched) return result;
        held.push(result.reason);
      }
      return { matched: true, reason: held.join("; ") };
    });
  }
  if (condition.any !== undefined) {
    const parts = condition.any;
    clauses.push((facts) => {
      const failed: string[] = [];
      for (const part of parts) {
        const result = evaluateCondition(part, facts);
        if (result.matched) return result;
        failed.push(result.reason);
      }
      return { matched: false, reason: `none of: ${failed.join("; ")}` };
    });
  }
  if (condition.not !== undefined) {
    const inner = condition.not;
    // The inner reason states the fact either way (`task is "code"`), so it explains both outcomes.
    clauses.push((facts) => {
      const result = evaluateCondition(inner, facts);
      return { matched: !result.matched, reason: result.reason };
    });
  }
  return clauses;
}

function listOf<T extends string>(value: T | readonly T[]): readonly T[] {
  return typeof value === "string" ? [value] : value;
}

function oneOf(field: string, actual: string | undefined, expected: StringOrList, ignoreCase = false): ConditionResult {
  const wanted = listOf(expected);
  const comparable = ignoreCase ? wanted.map((value) => value.toLowerCase()) : wanted;
  const quoted = wanted.length === 1 ? `"${wanted[0]}"` : formatAlternatives(wanted);
  if (actual === undefined) return { matched: false, reason: `no ${field} given, not ${quoted}` };
  if (comparable.includes(actual)) return { matched: true, reason: `${field} is "${actual}"` };
  return { matched: false, reason: `${field} is "${actual}", not ${quoted}` };
}

function anyTag(actual: readonly string[], wanted: readonly string[]): ConditionResult {
  const found = wanted.find((tag) => actual.includes(tag));
  if (found !== undefined) return { matched: true, reason: `tagged "${found}"` };
  return { matched: false, reason: `not tagged ${formatAlternatives(wanted.map((tag) => `"${tag}"`))}` };
}

const comparisonWords = { lt: "under", lte: "at most", gt: "over", gte: "at least" } as const;

function holds(operator: keyof Comparison, actual: number, bound: number): boolean {
  switch (operator) {
    case "lt":
      return actual < bound;
    case "lte":
      return actual <= bound;
    case "gt":
      return actual > bound;
    case "gte":
      return actual >= bound;
  }
}

/** `3,000 tokens is under 10,000 and at least 1,000`, or the first bound that fails, with `not`. */
function compare(actual: number, subject: string, bounds: Comparison, formatBound: (value: number) => string): ConditionResult {
  const held: string[] = [];
  for (const operator of ["lt", "lte", "gt", "gte"] as const) {
    const bound = bounds[operator];
    if (bound === undefined) continue;
    const words = `${comparisonWords[operator]} ${formatBound(bound)}`;
    if (!holds(operator, actual, bound)) return { matched: false, reason: `${subject} is not ${words}` };
    held.push(words);
  }
  return { matched: true, reason: `${subject} is ${held.join(" and ")}` };
}
