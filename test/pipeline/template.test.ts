import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkTemplate } from "../../src/pipeline/template.js";

describe("checkTemplate", () => {
  it("finds step references in dot and bracket form with their positions", () => {
    const check = checkTemplate("Since <%= it.inputs.since %>\nfrom <%= it.steps.collect.output %> and <%= it.steps['b'].output %>");
    assert.ok(check.ok);
    assert.deepEqual(check.stepReferences, [
      { step: "collect", location: { line: 1, column: 9 } },
      { step: "b", location: { line: 1, column: 44 } },
    ]);
  });

  it("renders without HTML escaping or trimming", () => {
    const check = checkTemplate("a <%= it.x %>\n<%= it.y %>\n");
    assert.ok(check.ok);
    assert.equal(check.render({ x: "<b>&</b>", y: "z" }), "a <b>&</b>\nz\n");
  });

  it("reports an unclosed tag at its line and column", () => {
    const check = checkTemplate("first\nsecond <%= it.steps.a");
    assert.equal(check.ok, false);
    assert.deepEqual(!check.ok && check.problem, { message: "unclosed tag", location: { line: 1, column: 7 } });
  });

  it("reports an invalid expression at the tag", () => {
    const check = checkTemplate("x\ny <%= it.a + %>");
    assert.equal(check.ok, false);
    assert.deepEqual(!check.ok && check.problem.location, { line: 1, column: 6 });
    assert.match(!check.ok ? check.problem.message : "", /invalid expression "it.a \+"/);
  });

  it("reports statement code that does not compile", () => {
    const check = checkTemplate("<% if (it.a) { %>never closed");
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.problem.message : "", /does not compile/);
  });
});
