import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractCode, readAnswer } from "../../src/executor/answer-format.js";
import { compileOutputSchema } from "../../src/pipeline/output-schema.js";

describe("reading answers", () => {
  const cases: [string, string, string, { ok: true; code: string } | { ok: false; reason: RegExp }][] = [
    ["the block of the language, by any of its tags", "Sure:\n```ts\nconst a: number = 1;\n```\nDone.", "typescript", { ok: true, code: "const a: number = 1;\n" }],
    ["the first block of the language when there are several", "```python\nx = 1\n```\n```py\ny = 2\n```", "python", { ok: true, code: "x = 1\n" }],
    ["the language block over an untagged one", "```\nusage()\n```\n```js\nexport {}\n```", "javascript", { ok: true, code: "export {}\n" }],
    ["an untagged block when none is tagged", "```\nSELECT 1;\n```", "sql", { ok: true, code: "SELECT 1;\n" }],
    ["a tilde fence with an info string", "~~~rust title=main.rs\nfn main() {}\n~~~", "rs", { ok: true, code: "fn main() {}\n" }],
    ["the whole answer when it has no fence", "  print('hi')  \n", "python", { ok: true, code: "  print('hi')\n" }],
    ["nothing from blocks of other languages", "```python\nx = 1\n```", "typescript", { ok: false, reason: /no typescript code block \(found python\)/ }],
    ["nothing from an empty block", "```js\n\n```", "javascript", { ok: false, reason: /empty/ }],
    ["nothing from an unclosed fence", "```js\nconst a = 1;", "javascript", { ok: false, reason: /unclosed/ }],
  ];
  for (const [what, text, language, expected] of cases) {
    it(`code: takes ${what}`, () => {
      const result = extractCode(text, language);
      if (expected.ok) assert.deepEqual(result, expected);
      else assert.ok(!result.ok && expected.reason.test(result.reason), JSON.stringify(result));
    });
  }

  it("json: parses fenced JSON, checks the schema, and writes it pretty", () => {
    const schema = compileOutputSchema({ type: "object", required: ["items"], properties: { items: { type: "array", items: { type: "string" } } } }, "inline");
    const output = { format: "json" as const, schema, validators: [] };
    assert.deepEqual(readAnswer('```json\n{"items": ["a"]}\n```', output), { ok: true, output: '```json\n{"items": ["a"]}\n```', json: { items: ["a"] }, content: '{\n  "items": [\n    "a"\n  ]\n}\n' });
    const wrong = readAnswer('{"items": [1], "extra": true}', output);
    assert.ok(!wrong.ok && wrong.reason === "the JSON does not match output.schema: /items/0 must be string", JSON.stringify(wrong));
    const missing = readAnswer("{}", output);
    assert.ok(!missing.ok && /the answer is missing "items"/.test(missing.reason));
    const broken = readAnswer("{items: [", output);
    assert.ok(!broken.ok && /not valid JSON/.test(broken.reason));
  });

  it("a 2020-12 schema is compiled as such, and an invalid one throws", () => {
    const schema = compileOutputSchema({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "array", prefixItems: [{ type: "number" }] }, "inline");
    assert.deepEqual(schema.check([1]), []);
    assert.equal(schema.check(["x"]).length, 1);
    assert.throws(() => compileOutputSchema({ type: "objekt" }, "inline"));
  });

  it("rejects an empty answer whatever the format", () => {
    for (const format of ["text", "markdown", "json", "code"] as const) {
      assert.deepEqual(readAnswer("  \n", { format, language: "js", validators: [] }), { ok: false, reason: "the answer was empty" });
    }
  });
});
