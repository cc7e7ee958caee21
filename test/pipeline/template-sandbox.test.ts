/**
 * Templates reach `it` and the documented helpers, nothing else: every known way out of a
 * JavaScript template (globals, constructor chains, dynamic import) is refused when the template is
 * checked, and what parses reads only data. `orch plan` and `orch validate` run no template code.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { checkTemplate, TemplateValueError } from "../../src/pipeline/template.js";
import { runCliInProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

const escapes = [
  "<%= process.env.HOME %>",
  "<%= globalThis.process %>",
  "<%= this.constructor.constructor('return process')() %>",
  "<%= it.constructor.constructor('return process')() %>",
  "<%= import('node:fs') %>",
  "<%= require('node:fs') %>",
  "<% process.getBuiltinModule('fs').appendFileSync('/tmp/x', 'y') %>",
  "<% const fs = process.getBuiltinModule('fs') %>",
  "<%= (() => process)() %>",
  "<%= Function('return this')() %>",
  "<%= it.inputs['constructor']['constructor']('return 1')() %>",
  "<% for (const x of [1]) { %><%= x.constructor.constructor('return process')() %><% } %>",
  "<% it.context.forEach(function (f) { process.exit(1) }) %>",
];

describe("template sandbox", () => {
  for (const text of escapes) {
    it(`refuses ${text}`, () => {
      const check = checkTemplate(text);
      assert.equal(check.ok, false, "the template must not compile");
    });
  }

  it("reads only own data: constructor chains and prototypes lead nowhere, and nowhere is an error", () => {
    const reads = [
      "<%= it.constructor %>",
      "<%= it['__proto__'] %>",
      "<%= it.inputs.name.constructor %>",
      "<%= (it.missing || it.inputs).constructor %>",
      "<% for (const x of it.list) { %><%= x.constructor %><% } %>",
      "<%= it.inputs.toString %>",
    ];
    for (const text of reads) {
      const check = checkTemplate(text);
      assert.ok(check.ok, text);
      assert.throws(() => check.render({ inputs: { name: "n" }, list: [1] }), TemplateValueError, text);
    }
  });

  it("still renders what prompts use: values, loops, conditions, helpers", () => {
    const text = [
      "<%= it.inputs.name %> <%= it.inputs.name.toUpperCase() %> <%= it.steps.a.output.slice(0, 3) %> <%= it.steps.a.output.length %>",
      "<% (it.steps.a.json.fixes || []).forEach(function (item, index) { %><%= index %>:<%= item %>;<% }) %>",
      "<% for (const example of it.steps.a.json.cases) { %><%= JSON.stringify(example) %><% } %>",
      "<% if (it.steps.a.json.cases.length > 1) { %>many<% } else if (it.inputs.name == 'n') { %>named<% } else { %>none<% } %>",
      "<%= it.steps.a.json.tags %> <%= it.steps.a.json.tags.join(' + ') %> <%= json(it.steps.a.json.cases[0]) %> <%= it.steps.a.json.n === 2 %>",
    ].join("\n");
    const check = checkTemplate(text);
    assert.ok(check.ok, check.ok ? "" : check.problem.message);
    const data = { inputs: { name: "n" }, steps: { a: { output: "abcdef", json: { cases: [{ x: 1 }], tags: ["p", "q"], n: 2 } } } };
    assert.equal(check.render(data), 'n N abc 6\n\n{"x":1}\nnamed\n["p","q"] p + q {"x":1} true');
  });

  it("orch plan and orch validate run no template code", async () => {
    const marker = "plan-wrote-this.txt";
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: { file: a.eta }\n`,
      "a.eta": `Hello\n<% process.getBuiltinModule('fs').appendFileSync('${marker}', String(process.env.OPENAI_API_KEY)) %>\n`,
      "policy.yaml": offlinePolicy(),
    });
    for (const command of ["plan", "validate"]) {
      const result = await runCliInProcess([command, path.join(directory, "pipeline.yaml")]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, /a\.eta:2:4 error steps\.a\.prompt: template error: unsupported template code "process\.getBuiltinModule/);
      assert.equal(existsSync(path.join(directory, marker)), false, `${command} ran the template`);
      assert.equal(existsSync(path.join(process.cwd(), marker)), false, `${command} ran the template`);
    }
  });
});
