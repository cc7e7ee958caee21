import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../src/config/diagnostic.js";
import { validateAgainstSchema } from "../../src/config/schema-validation.js";
import { brief, parse, yamlLines } from "./helpers.js";

function pipelineErrors(...lines: string[]) {
  return validateAgainstSchema(parse(yamlLines(...lines), "pipeline.yaml"), "pipeline");
}

function policyErrors(...lines: string[]) {
  return validateAgainstSchema(parse(yamlLines(...lines), "policy.yaml"), "policy");
}

const pipelineHead = ["version: 1", "name: demo", "steps:"];
const policyHead = ["version: 1", "providers:", "  local: { type: mock }", "models: {}"];
const tiers = ["tiers:", "  economy: [local:a]", "  standard: [local:a]", "  premium: [local:a]"];

describe("validateAgainstSchema: pipelines", () => {
  it("accepts a valid pipeline", () => {
    const errors = pipelineErrors(...pipelineHead, "  collect:", "    prompt: { file: prompts/collect.md }", "    needs: []");
    assert.deepEqual(errors, []);
  });

  it("reports an unknown key at the key, with the allowed keys and a did-you-mean", () => {
    const [error, ...rest] = pipelineErrors(...pipelineHead, "  draft:", "    prompt: hi", "    need: [collect]");
    assert.deepEqual(rest, []);
    assert.equal(brief(error!), '6:5 steps.draft.need: unknown key "need"');
    assert.equal(error!.suggestion, 'did you mean "needs"?');
    assert.match(error!.expected ?? "", /^one of: description, needs, task, /);
  });

  it("reports a missing required key at its parent", () => {
    const errors = pipelineErrors(...pipelineHead, "  draft:", "    task: code");
    assert.deepEqual(errors.map(brief), ['4:3 steps.draft: missing required key "prompt"']);
  });

  it("does not repeat a misspelt required key as missing", () => {
    const errors = pipelineErrors(...pipelineHead, "  draft:", "    promt: hi");
    assert.deepEqual(errors.map(brief), ['5:5 steps.draft.promt: unknown key "promt"']);
    assert.equal(errors[0]?.suggestion, 'did you mean "prompt"?');
  });

  it("names types in YAML words", () => {
    const errors = pipelineErrors(...pipelineHead, "  draft:", "    prompt: hi", "    needs: collect", "    sensitive: 1");
    assert.deepEqual(errors.map(brief), [
      "6:12 steps.draft.needs: expected a list, got a string",
      "7:16 steps.draft.sensitive: expected true or false, got 1",
    ]);
  });

  it("suggests the closest allowed value for an enum typo", () => {
    const [error] = pipelineErrors(...pipelineHead, "  draft:", "    prompt: hi", "    quality: premum");
    assert.equal(brief(error!), '6:14 steps.draft.quality: "premum" is not allowed');
    assert.equal(error!.expected, "one of economy, standard, premium");
    assert.equal(error!.suggestion, 'did you mean "premium"?');
  });

  it("explains step names that are not identifiers, at the name", () => {
    const [error] = pipelineErrors(...pipelineHead, "  draft-2:", "    prompt: hi");
    assert.equal(brief(error!), '4:3 steps.draft-2: "draft-2" is not a valid step name');
    assert.equal(error!.expected, "an identifier: letters, digits and _, not starting with a digit");
    assert.equal(error!.suggestion, 'rename it to "draft_2"');
  });

  it("reports one line for a prompt that is neither a string nor a file mapping", () => {
    const errors = pipelineErrors(...pipelineHead, "  draft:", "    prompt: 42", "  review:", "    prompt:");
    assert.deepEqual(errors.map(brief), [
      '5:13 steps.draft.prompt: expected a string or a mapping with "file", got 42',
      '7:5 steps.review.prompt: expected a string or a mapping with "file", got an empty value',
    ]);
  });

  it("reports only the errors of the branch that fits the value", () => {
    const errors = pipelineErrors(...pipelineHead, "  draft:", "    prompt:", "      fil: draft.md", "  review:", '    prompt: ""');
    assert.deepEqual(errors.map(brief), [
      '6:7 steps.draft.prompt.fil: unknown key "fil"',
      "8:13 steps.review.prompt: must not be empty",
    ]);
  });

  it("reports every error of a file at once, sorted by position", () => {
    const errors = pipelineErrors(
      "version: 2", //                    1
      "name: my pipeline", //             2
      "concurrency: 0", //                3
      "steps:", //                        4
      "  draft:", //                      5
      "    prompt: hi", //                6
      "    tags: [a, b, a]", //           7
      "    temperature: 3", //            8
      "    output: { format: jsn }", //   9
    );
    assert.deepEqual(errors.map(formatDiagnostic), [
      "pipeline.yaml:1:10 version: 2 is not allowed (expected 1)",
      `pipeline.yaml:2:7 name: "my pipeline" is not a valid name (expected letters, digits, '.', '_' and '-', starting with a letter or digit)`,
      "pipeline.yaml:3:14 concurrency: 0 is too small (expected a whole number from 1 to 64)",
      'pipeline.yaml:7:18 steps.draft.tags[2]: "a" is listed twice (also item 1) — remove one of them',
      "pipeline.yaml:8:18 steps.draft.temperature: 3 is too large (expected a number from 0 to 2)",
      'pipeline.yaml:9:23 steps.draft.output.format: "jsn" is not allowed (expected one of text, markdown, json, code) — did you mean "json"?',
    ]);
  });

  it("reports a document that is not a mapping", () => {
    const errors = validateAgainstSchema(parse("- a\n- b\n", "pipeline.yaml"), "pipeline");
    assert.deepEqual(errors.map(brief), ["1:1 : expected a mapping, got a list"]);
  });
});

describe("validateAgainstSchema: routing policies", () => {
  it("accepts a valid policy", () => {
    assert.deepEqual(policyErrors(...policyHead, ...tiers), []);
  });

  it("reports only the chosen provider type's errors", () => {
    const errors = policyErrors(
      "version: 1",
      "providers:",
      "  openai: { type: openai, base_urll: x }",
      "  agent: { type: cli }",
      "models: {}",
      ...tiers,
    );
    assert.deepEqual(errors.map(brief), [
      '3:27 providers.openai.base_urll: unknown key "base_urll"',
      '4:3 providers.agent: missing required key "command"',
    ]);
    assert.equal(errors[0]?.suggestion, 'did you mean "base_url"?');
  });

  it("reports an unknown provider type once, with a suggestion", () => {
    const errors = policyErrors("version: 1", "providers:", "  openai: { type: opnai }", "models: {}", ...tiers);
    assert.deepEqual(errors.map(brief), ['3:19 providers.openai.type: "opnai" is not allowed']);
    assert.equal(errors[0]?.suggestion, 'did you mean "openai"?');
  });

  it("explains model aliases: string form and mapping form", () => {
    const errors = policyErrors(
      ...policyHead.slice(0, 3),
      "models:",
      "  mini: gpt-4o-mini",
      "  big: { modle: local:big }",
      "  odd: 3",
      ...tiers,
    );
    assert.deepEqual(errors.map(brief), [
      '5:9 models.mini: "gpt-4o-mini" is not a valid model reference',
      '6:10 models.big.modle: unknown key "modle"',
      '7:8 models.odd: expected a string or a mapping with "model", got 3',
    ]);
  });

  it("explains a rule's use: a tier typo, a single model, a wrong type", () => {
    const errors = policyErrors(
      ...policyHead,
      ...tiers,
      "rules:",
      "  - { name: a, use: premum }",
      "  - { name: b, use: 42 }",
    );
    assert.deepEqual(errors.map(brief), [
      '10:21 rules[0].use: "premum" is not allowed',
      "11:21 rules[1].use: expected a list, a mapping with \"best_value\" or one of economy, standard, premium, got 42",
    ]);
    assert.equal(errors[0]?.suggestion, 'did you mean "premium"?');
    assert.equal(errors[0]?.expected, 'a list, a mapping with "best_value" or one of economy, standard, premium');
  });

  it("reports an empty tier chain and a missing tier", () => {
    const errors = policyErrors(...policyHead, "tiers:", "  economy: []", "  standard: [local:a]");
    assert.deepEqual(errors.map(brief), [
      '5:1 tiers: missing required key "premium"',
      "6:12 tiers.economy: the list is empty",
    ]);
  });
});

describe("validateAgainstSchema: money and token bounds", () => {
  const aliased = (prices: string) => [...policyHead.slice(0, 3), "models:", `  big: { model: "local:a", prices: ${prices} }`, ...tiers];

  it("refuses an absurd price at the number, with the bound", () => {
    const errors = policyErrors(...aliased("{ input: 1e308, output: 1 }"));
    assert.equal(errors.length, 1);
    assert.equal(brief(errors[0]!), "5:45 models.big.prices.input: 1e+308 is too large");
    assert.equal(errors[0]!.expected, "a number from 0 to 10000");
  });

  it("refuses an infinite or not-a-number price", () => {
    assert.deepEqual(policyErrors(...aliased("{ input: .inf, output: 1 }")).map((error) => error.path), ["models.big.prices.input"]);
    assert.deepEqual(policyErrors(...aliased("{ input: 1, output: .nan }")).map((error) => error.path), ["models.big.prices.output"]);
  });

  it("bounds cache-write prices like the others", () => {
    assert.deepEqual(policyErrors(...aliased("{ input: 1, output: 1, cache_write: 1.25, cache_write_1h: 2 }")), []);
    assert.deepEqual(policyErrors(...aliased("{ input: 1, output: 1, cache_write_1h: 1e300 }")).map((error) => error.path), ["models.big.prices.cache_write_1h"]);
  });

  it("refuses budgets past $1,000,000 in every scope", () => {
    const errors = policyErrors(
      ...policyHead,
      ...tiers,
      "budget:",
      "  run_usd: 1e308",
      "  daily_usd: 2000000",
      "  monthly_usd: .inf",
      "  per_tag: { hot: { daily_usd: 1e20 } }",
      "  per_pipeline: { notes: { monthly_usd: 1e10 } }",
      "  emergency_below_usd: { day: 1e9 }",
    );
    assert.deepEqual(errors.map((error) => error.path).sort(), [
      "budget.daily_usd",
      "budget.emergency_below_usd.day",
      "budget.monthly_usd",
      "budget.per_pipeline.notes.monthly_usd",
      "budget.per_tag.hot.daily_usd",
      "budget.run_usd",
    ]);
    assert.equal(brief(errors.find((error) => error.path === "budget.run_usd")!), "10:12 budget.run_usd: 1e+308 is too large");
  });

  it("refuses a step's max_cost_usd past $1,000,000 and token caps past their bounds", () => {
    const pipeline = pipelineErrors(...pipelineHead, "  draft:", "    prompt: hi", "    max_cost_usd: 1e308", "    max_tokens: 1e12");
    assert.deepEqual(pipeline.map(brief), [
      "6:19 steps.draft.max_cost_usd: 1e+308 is too large",
      "7:17 steps.draft.max_tokens: 1000000000000 is too large",
    ]);
    const policy = policyErrors(...policyHead.slice(0, 3), "models:", '  big: { model: "local:a", max_output_tokens: 1e12, context_window: 1e12 }', ...tiers);
    assert.deepEqual(policy.map((error) => error.path).sort(), ["models.big.context_window", "models.big.max_output_tokens"]);
  });
});

describe("validateAgainstSchema: a value wrapped in a mapping of the user's own", () => {
  it("names the closest valid form of use: instead of a missing best_value", () => {
    const errors = policyErrors(...policyHead, ...tiers, "rules:", "  - { name: a, use: { tier: premium } }");
    assert.deepEqual(errors.map(brief), ["10:21 rules[0].use: a mapping does not fit here: expected a list, a mapping with \"best_value\" or one of economy, standard, premium"]);
    assert.equal(errors[0]?.suggestion, "the closest valid form is use: premium");
  });

  it("names a chain wrapped in a mapping, and keeps the typo message for a misspelt best_value", () => {
    const wrapped = policyErrors(...policyHead, ...tiers, "rules:", "  - { name: a, use: { models: [local:a, local:b] } }");
    assert.equal(wrapped[0]?.suggestion, "the closest valid form is use: [local:a, local:b]");
    const misspelt = policyErrors(...policyHead, ...tiers, "rules:", "  - { name: a, use: { best_valu: [local:a] } }");
    assert.match(misspelt.map(brief).join("\n"), /unknown key "best_valu"/);
    assert.equal(misspelt.find((error) => /best_valu/.test(error.message))?.suggestion, 'did you mean "best_value"?');
  });

  it("names the closest form of a pipeline's for_each wrapped in a mapping", () => {
    const errors = pipelineErrors(...pipelineHead, "  a:", "    prompt: hi", "    for_each: { list: inputs.files }");
    assert.equal(errors[0]?.suggestion, "the closest valid form is for_each: inputs.files");
  });
});
