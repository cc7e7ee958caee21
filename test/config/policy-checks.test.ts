import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkPolicySemantics } from "../../src/config/policy-checks.js";
import { validateAgainstSchema } from "../../src/config/schema-validation.js";
import type { RoutingPolicy } from "../../src/generated/routing-policy.js";
import { brief, parse, yamlLines } from "./helpers.js";

function semanticErrors(...lines: string[]) {
  const document = parse(yamlLines(...lines), "policy.yaml");
  // The checks assume a schema-valid policy: make sure each fixture is one.
  assert.deepEqual(validateAgainstSchema(document, "policy"), []);
  return checkPolicySemantics(document, document.value as RoutingPolicy);
}

const head = [
  "version: 1", //                                   1
  "providers:", //                                   2
  "  openai: { type: openai }", //                   3
  "  ollama: { type: ollama }", //                   4
  "models:", //                                      5
  "  gpt-4o-mini: openai:gpt-4o-mini", //            6
  "  local: { model: ollama:llama3.2:3b }", //       7
];

describe("checkPolicySemantics", () => {
  it("accepts a consistent policy", () => {
    const errors = semanticErrors(
      ...head,
      "tiers:",
      "  economy: [local, ollama:qwen2.5-coder:7b]",
      "  standard: [gpt-4o-mini]",
      "  premium: [openai:gpt-4o]",
      "tasks: [triage]",
      "rules:",
      "  - { name: a, when: { task: [code, triage], quality: premium }, use: { best_value: [local, gpt-4o-mini] } }",
      "budget: { time_zone: Europe/Paris }",
    );
    assert.deepEqual(errors, []);
  });

  it("reports an unknown model alias in a tier, with a suggestion", () => {
    const errors = semanticErrors(...head, "tiers:", "  economy: [local, gpt4-mini]", "  standard: [local]", "  premium: [local]");
    assert.deepEqual(errors.map(brief), ['9:20 tiers.economy[1]: unknown model alias "gpt4-mini"']);
    assert.equal(errors[0]?.suggestion, 'did you mean "gpt-4o-mini"?');
    assert.equal(errors[0]?.expected, 'a model alias (gpt-4o-mini, local) or "provider:model"');
  });

  it("reports an unknown provider in a model reference, in chains and in aliases", () => {
    const errors = semanticErrors(
      ...head,
      "  broken: { model: olama:phi3 }", //    8
      "tiers:", //                             9
      "  economy: [local]", //                 10
      "  standard: [openia:gpt-4o]", //        11
      "  premium: [broken]", //                12
      "rules:", //                             13
      "  - name: r", //                        14
      "    use: [anthropic:claude]", //        15
    );
    assert.deepEqual(errors.map(brief), [
      '8:20 models.broken.model: unknown provider "olama"',
      '11:14 tiers.standard[0]: unknown provider "openia"',
      '15:11 rules[0].use[0]: unknown provider "anthropic"',
    ]);
    assert.deepEqual(
      errors.map((error) => error.suggestion),
      ['did you mean "ollama"?', 'did you mean "openai"?', undefined],
    );
  });

  it("reports duplicate rule names, unknown task types and quality tiers, nested conditions included", () => {
    const errors = semanticErrors(
      ...head,
      "tiers: { economy: [local], standard: [local], premium: [local] }", // 8
      "rules:", //                                                         9
      "  - name: same", //                                                 10
      "    when: { task: cod }", //                                        11
      "    use: economy", //                                               12
      "  - name: same", //                                                 13
      "    when: { any: [{ quality: [premum] }, { not: { task: triage } }] }", // 14
      "    use: premium", //                                               15
    );
    assert.deepEqual(errors.map(brief), [
      '11:19 rules[0].when.task: unknown task type "cod"',
      '13:11 rules[1].name: duplicate rule name "same" (also rules[0])',
      '14:31 rules[1].when.any[0].quality[0]: unknown quality tier "premum"',
      '14:57 rules[1].when.any[1].not.task: unknown task type "triage"',
    ]);
    assert.deepEqual(
      errors.map((error) => error.suggestion),
      [
        'did you mean "code"?',
        "give every rule its own name",
        'did you mean "premium"?',
        'declare it under "tasks:" to add a task type',
      ],
    );
  });

  it("reports a time zone that does not exist", () => {
    const errors = semanticErrors(
      ...head,
      "tiers: { economy: [local], standard: [local], premium: [local] }",
      "budget:",
      "  time_zone: Europe/Pariss",
    );
    assert.deepEqual(errors.map(brief), ['10:14 budget.time_zone: unknown time zone "Europe/Pariss"']);
    assert.equal(errors[0]?.suggestion, 'did you mean "Europe/Paris"?');
  });
});
