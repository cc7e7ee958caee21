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

/** The values each root name of the expression stands for (`inputs`/`steps`, or `it` and loop variables). */
export type ExpressionScope = Readonly<Record<string, unknown>>;

export function evaluateExpression(expression: Expression, data: ExpressionData | ExpressionScope): unknown {
  const scope = data as ExpressionScope;
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "list":
      return expression.items.map((item) => evaluateExpression(item, scope));
    case "path":
      return readPath(Object.hasOwn(scope, expression.root) ? scope[expression.root] : undefined, expression.segments);
    case "member":
      return readPath(evaluateExpression(expression.object, scope), expression.segments);
    case "not":
      return !isTruthy(evaluateExpression(expression.operand, scope));
    case "logical": {
      const left = evaluateExpression(expression.left, scope);
      if (expression.operator === "&&") return isTruthy(left) ? evaluateExpression(expression.right, scope) : left;
      return isTruthy(left) ? left : evaluateExpression(expression.right, scope);
    }
    case "compare":
      return compare(expression.operator, evaluateExpression(expression.left, scope), evaluateExpression(expression.right, scope));
    case "call":
      return callFunction(expression.name, expression.args.map((argument) => evaluateExpression(argument, scope)));
  }
}

export function readPath(start: unknown, segments: readonly (string | number)[]): unknown {
  return segments.reduce<unknown>((value, segment) => readKey(value, segment), start);
}

export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** Own data only: nothing is read through a prototype (`constructor`, `__proto__` lead nowhere). */
function readKey(value: unknown, key: string | number): unknown {
  if (typeof value === "string") return key === "length" ? value.length : undefined;
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

/**
 * The helpers, implemented here over plain data: an expression never calls a function of the
 * data itself, so a value cannot smuggle code in. Wrong types give undefined, never a throw.
 */
function callFunction(name: string, args: unknown[]): unknown {
  const [first, second, third] = args;
  switch (name) {
    case "contains":
    case "includes":
      if (typeof first === "string") return second !== undefined && second !== null && first.includes(String(second));
      if (Array.isArray(first)) return first.some((item) => sameValue(item, second));
      return false;
    case "startsWith":
      return typeof first === "string" && typeof second === "string" && first.startsWith(second);
    case "endsWith":
      return typeof first === "string" && typeof second === "string" && first.endsWith(second);
    case "length":
      if (typeof first === "string" || Array.isArray(first)) return first.length;
      if (first !== null && typeof first === "object") return Object.keys(first).length;
      return 0;
    case "json":
      return first === undefined ? undefined : JSON.stringify(first, null, typeof second === "number" ? Math.min(second, 10) : undefined);
    case "slice":
      if (typeof first !== "string" && !Array.isArray(first)) return undefined;
      return first.slice(typeof second === "number" ? second : 0, typeof third === "number" ? third : undefined);
    case "join":
      return Array.isArray(first) ? first.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join(typeof second === "string" ? second : ", ") : undefined;
    case "trim":
      return typeof first === "string" ? first.trim() : undefined;
    case "toUpperCase":
      return typeof first === "string" ? first.toUpperCase() : undefined;
    case "toLowerCase":
      return typeof first === "string" ? first.toLowerCase() : undefined;
    default:
      return undefined;
  }
}
