/**
 * Evaluates a parsed expression over plain data. A path that leads nowhere is `undefined`, never
 * an error: `steps.review.json.score > 3` is simply false when the answer has no score.
 *
 * Truthiness: undefined, null, false, 0, "" and [] are false; everything else is true (an empty
 * list is false so that `when: length(steps.plan.json)` and `when: steps.plan.json` agree).
 * Equality is strict and structural: 1 == "1" is false, and lists and objects compare by content.
 */
import type { Expression } from "./expression.js";

export interface ExpressionData {
  inputs: Record<string, unknown>;
  steps: Record<string, unknown>;
}

export function evaluateExpression(expression: Expression, data: ExpressionData): unknown {
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "path":
      return expression.segments.reduce<unknown>((value, segment) => readKey(value, segment), data[expression.root]);
    case "not":
      return !isTruthy(evaluateExpression(expression.operand, data));
    case "logical": {
      const left = evaluateExpression(expression.left, data);
      if (expression.operator === "&&") return isTruthy(left) ? evaluateExpression(expression.right, data) : left;
      return isTruthy(left) ? left : evaluateExpression(expression.right, data);
    }
    case "compare":
      return compare(expression.operator, evaluateExpression(expression.left, data), evaluateExpression(expression.right, data));
    case "call": {
      const [first, second] = expression.args.map((argument) => evaluateExpression(argument, data));
      return callFunction(expression.name, first, second);
    }
  }
}

export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function readKey(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value) && typeof key === "number") return value[key];
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[String(key)] : undefined;
}

function compare(operator: string, left: unknown, right: unknown): boolean {
  if (operator === "==") return sameValue(left, right);
  if (operator === "!=") return !sameValue(left, right);
  const comparable = (typeof left === "number" && typeof right === "number") || (typeof left === "string" && typeof right === "string");
  if (!comparable) return false;
  const a = left as number | string;
  const b = right as number | string;
  if (operator === "<") return a < b;
  if (operator === "<=") return a <= b;
  if (operator === ">") return a > b;
  return a >= b;
}

function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (left === null || right === null || typeof left !== "object" || typeof right !== "object") return (left ?? null) === (right ?? null);
  return JSON.stringify(left) === JSON.stringify(right);
}

function callFunction(name: string, first: unknown, second: unknown): unknown {
  switch (name) {
    case "contains":
      if (typeof first === "string") return second !== undefined && second !== null && first.includes(String(second));
      if (Array.isArray(first)) return first.some((item) => sameValue(item, second));
      return false;
    case "startsWith":
      return typeof first === "string" && typeof second === "string" && first.startsWith(second);
    case "endsWith":
      return typeof first === "string" && typeof second === "string" && first.endsWith(second);
    default:
      if (typeof first === "string" || Array.isArray(first)) return first.length;
      if (first !== null && typeof first === "object") return Object.keys(first).length;
      return 0;
  }
}
