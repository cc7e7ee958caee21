import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateExpression, isTruthy } from "../../src/pipeline/evaluate-expression.js";
import { ExpressionSyntaxError, expressionReferences, parseExpression } from "../../src/pipeline/expression.js";

const data = {
  inputs: { mode: "full", count: 3, dry: false, files: ["a.ts", "b.ts"] },
  steps: {
    classify: { output: "risky", json: { kind: "risky", tags: ["api", "db"], score: 0.8, nested: { deep: [1, 2] } } },
    skipped: { output: "", skipped: true },
  },
};

const evaluate = (text: string) => evaluateExpression(parseExpression(text), data);

describe("when/for_each expressions", () => {
  const cases: [string, unknown][] = [
    ["inputs.mode == 'full'", true],
    ['inputs.mode != "full"', false],
    ["inputs.count > 2 && inputs.count <= 3", true],
    ["inputs.count === 3", true],
    ["!inputs.dry", true],
    ["inputs.dry || inputs.mode", "full"],
    ["steps.classify.json.kind == 'risky' && contains(steps.classify.json.tags, 'db')", true],
    ["it.steps.classify.json.score >= 0.5", true],
    ["steps.classify.json.nested.deep[1] == 2", true],
    ["steps.classify.json['kind']", "risky"],
    ["steps.classify.json.missing.deeper == null", true],
    ["steps.skipped.skipped", true],
    ["length(inputs.files) == 2 && startsWith(inputs.mode, 'fu') && endsWith(steps.classify.output, 'sky')", true],
    ["contains(steps.classify.output, 'isk')", true],
    ["inputs.count == '3'", false],
    ["inputs.mode < 3", false],
    ["steps.classify.json.tags == steps.classify.json.tags", true],
    ["(inputs.dry || inputs.count > 5) || !(inputs.mode == 'quick')", true],
  ];
  for (const [text, expected] of cases) {
    it(`${text} → ${JSON.stringify(expected)}`, () => assert.deepEqual(evaluate(text), expected));
  }

  it("treats empty lists, empty strings, zero, null and missing values as false", () => {
    for (const value of [[], "", 0, null, undefined, false]) assert.equal(isTruthy(value), false, JSON.stringify(value));
    for (const value of [["x"], "x", 1, {}, true]) assert.equal(isTruthy(value), true, JSON.stringify(value));
  });

  it("reports syntax errors at the offending character", () => {
    const errors: [string, number, RegExp][] = [
      ["inputs.mode ==", 14, /expected a value, found end of the expression/],
      ["inputs.mode = 'x'", 12, /unexpected character "="/],
      ["process.exit(1)", 0, /unknown function "exit"|unknown name "process"/],
      ["eval('x')", 0, /unknown function "eval"/],
      ["inputs.mode == 'open", 15, /unterminated string/],
      ["(inputs.a", 9, /expected "\)"/],
      ["inputs.a inputs.b", 9, /unexpected "inputs" after the expression/],
      ["length(inputs.a, 2)", 0, /length\(\) takes 1 argument, got 2/],
    ];
    for (const [text, offset, message] of errors) {
      assert.throws(() => parseExpression(text), (error: unknown) => error instanceof ExpressionSyntaxError && error.offset === offset && message.test(error.message), text);
    }
  });

  it("lists the inputs and steps an expression reads", () => {
    assert.deepEqual(expressionReferences(parseExpression("inputs.a == 1 && contains(steps.b.json, steps.c.output) || !it.inputs.d")), [
      { root: "inputs", name: "a", offset: 0 },
      { root: "steps", name: "b", offset: 26 },
      { root: "steps", name: "c", offset: 40 },
      { root: "inputs", name: "d", offset: 60 },
    ]);
  });
});
