import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { loadPolicyFile } from "../../src/config/load-config.js";
import { findPrices } from "../../src/providers/price-table.js";
import type { PolicyCase } from "../../src/generated/policy-cases.js";
import { assumedProviderStates, formatPolicyTestResult, fullBudget, runPolicyCases } from "../../src/policy/policy-test.js";
import { testPolicy, testPricesFor } from "./fixtures.js";

const root = new URL("../../", import.meta.url);
const shippedPolicies = ["default", "local-first", "quality-first", "offline"];

const policy = testPolicy({
  rules: [{ name: "code", when: { task: "code" }, use: ["gpt", "local"] }],
  budget: { daily_usd: 20, when_exhausted: "defer", time_zone: "UTC" },
});

describe("runPolicyCases", () => {
  test("passing cases are listed by name", () => {
    const cases: PolicyCase[] = [
      { name: "code to gpt", request: { task: "code" }, expect: { first: "gpt", matched: "code", candidates: ["gpt", "ollama:qwen3:8b"] } },
      { name: "chat to the tier", request: { task: "chat" }, expect: { first: "openai:gpt-5.4-mini", matched: "tier:standard" } },
      { name: "no money", request: { task: "code", budget_left: { day: 0 }, unavailable: ["ollama"] }, expect: { exhausted: "defer" } },
      { name: "reason", request: { task: "code", unavailable: ["openai"] }, expect: { reason_contains: 'provider "openai" unavailable — marked unavailable by the test case' } },
    ];
    assert.deepEqual(runPolicyCases(policy, cases, { pricesFor: testPricesFor }), {
      passed: ["code to gpt", "chat to the tier", "no money", "reason"],
      failed: [],
    });
  });

  test("a wrong case fails with a diff of every key that differs, and the explanation", () => {
    const cases: PolicyCase[] = [
      {
        name: "wrong",
        request: { task: "code", cooling_down: ["openai"] },
        expect: { first: "gpt", matched: "tier:premium", candidates: ["gpt"], exhausted: "fail", reason_contains: "over budget" },
      },
    ];
    const result = runPolicyCases(policy, cases, { pricesFor: testPricesFor });
    assert.deepEqual(result.passed, []);
    const [failure] = result.failed;
    assert.equal(failure?.case, "wrong");
    assert.deepEqual(failure?.diff, [
      'first: expected "gpt", got "local (ollama:qwen3:8b)"',
      "candidates: expected [gpt], got [local (ollama:qwen3:8b)]",
      'matched: expected "tier:premium", got "code"',
      'exhausted: expected "fail", got a route (not exhausted)',
      'reason: expected the explanation to contain "over budget"',
    ]);
    assert.equal(failure?.actual.explanation.at(-2)?.trim(), "1.  local (ollama:qwen3:8b)  kept: free (local)");
    assert.deepEqual(formatPolicyTestResult(result), [
      "FAIL wrong",
      ...(failure?.diff ?? []).map((line) => `  ${line}`),
      "  explanation:",
      ...(failure?.actual.explanation ?? []).map((line) => `    ${line}`),
      "0 of 1 cases passed, 1 failed",
    ]);
    assert.match(failure?.actual.explanation.join("\n") ?? "", /dropped: cooling down until 12:10 after repeated failures/);
  });

  test("a case without a candidate reads as such", () => {
    const cases: PolicyCase[] = [{ name: "none", request: { task: "code", sensitive: true, unavailable: ["ollama"] }, expect: { first: "local" } }];
    assert.deepEqual(runPolicyCases(policy, cases, { pricesFor: testPricesFor }).failed[0]?.diff, ['first: expected "local", got no candidate']);
  });

  test("state defaults: providers assumed from their type, the budget full", () => {
    assert.deepEqual(assumedProviderStates(testPolicy({ providers: { a: { type: "ollama" }, b: { type: "cli", command: ["x"] }, c: { type: "mock" }, d: { type: "openai" } } })), {
      a: { available: true, local: true, pricing: "local" },
      b: { available: true, local: false, pricing: "subscription" },
      c: { available: true, local: true, pricing: "metered", synthetic: true },
      d: { available: true, local: false, pricing: "metered" },
    });
    assert.deepEqual(fullBudget(testPolicy({ budget: { run_usd: 1, daily_usd: 20, monthly_usd: 300 } })), { run: 1, day: 20, month: 300 });
  });
});

describe("shipped policies", () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validateCases = ajv.compile(JSON.parse(readFileSync(new URL("schemas/policy-cases.schema.json", root), "utf8")));

  for (const name of shippedPolicies) {
    test(`${name}.yaml passes its cases`, async () => {
      const policyFile = new URL(`routing-policies/${name}.yaml`, root);
      const casesFile = new URL(`routing-policies/${name}.test.yaml`, root);
      const { policy: shipped } = await loadPolicyFile(policyFile.pathname);
      const cases: unknown = parse(readFileSync(casesFile, "utf8"));
      assert.ok(validateCases(cases), ajv.errorsText(validateCases.errors));
      const result = runPolicyCases(shipped, cases as PolicyCase[], { pricesFor: testPricesFor });
      assert.deepEqual(result.failed, [], formatPolicyTestResult(result).join("\n"));
      assert.ok(result.passed.length >= 7, "each shipped policy has a real set of cases");
    });

    test(`${name}.yaml passes its cases with the bundled price table too`, async () => {
      const { policy: shipped } = await loadPolicyFile(new URL(`routing-policies/${name}.yaml`, root).pathname);
      const cases = parse(readFileSync(new URL(`routing-policies/${name}.test.yaml`, root), "utf8")) as PolicyCase[];
      const pricesFor = (provider: string, model: string) => {
        const type = shipped.providers[provider]?.type;
        return type === undefined ? undefined : findPrices(type, model);
      };
      const result = runPolicyCases(shipped, cases, { pricesFor });
      assert.deepEqual(result.failed, [], formatPolicyTestResult(result).join("\n"));
    });

    test(`${name}.yaml and its cases point editors at their schemas`, () => {
      const policyText = readFileSync(new URL(`routing-policies/${name}.yaml`, root), "utf8");
      const casesText = readFileSync(new URL(`routing-policies/${name}.test.yaml`, root), "utf8");
      assert.ok(policyText.startsWith("# yaml-language-server: $schema=../schemas/routing-policy.schema.json\n"));
      assert.ok(casesText.startsWith("# yaml-language-server: $schema=../schemas/policy-cases.schema.json\n"));
    });
  }

  test("offline.yaml uses only mock or replay providers, every model with a price", async () => {
    const { policy: offline } = await loadPolicyFile(new URL("routing-policies/offline.yaml", root).pathname);
    for (const provider of Object.values(offline.providers)) assert.ok(provider.type === "mock" || provider.type === "replay");
    for (const model of Object.values(offline.models)) assert.ok(typeof model === "object" && model.prices && model.prices.input > 0);
  });
});
