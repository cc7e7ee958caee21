/**
 * The shipped `pipelines/codegen.yaml` run against the fake server through the real OpenAI SDK:
 * a cheap model (gpt-4o-mini prices) that writes a module that does not compile — and, if asked,
 * tests that fail — and a premium one (gpt-4o prices) that gets them right. Used by the pipeline
 * test and by the cascade-versus-premium benchmark.
 */
import { cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { FakeLlmServer } from "../../../src/fake-server/index.js";
import { repositoryRoot, runCliInProcess, type CliResult } from "../../support/cli.js";
import { writeProject } from "../../support/project.js";
import { callRows, runPaths, type CallRow } from "../../executor/support/run-project.js";

export const prices = { mini: { input: 0.15, output: 0.6 }, full: { input: 2.5, output: 10 } };

const design = JSON.stringify({
  signature: "slugify(text: string): string",
  cases: [
    { input: "Hello, World!", output: "hello-world" },
    { input: "  --Orch  rocks--  ", output: "orch-rocks" },
    { input: "Ünïcode & Co", output: "n-code-co" },
  ],
});
const brokenModule = "```js\nexport function slugify(text) {\n  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-'\n}\n```";
const goodModule =
  "Here it is:\n```js\nexport function slugify(text) {\n  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, \"-\").replace(/^-+|-+$/g, \"\");\n}\n```";
const testsWith = (expected: string) =>
  [
    "```js",
    'import { test } from "node:test";',
    'import assert from "node:assert/strict";',
    'import { slugify } from "./slugify.mjs";',
    "",
    'test("slugify", () => {',
    '  assert.equal(slugify("Hello, World!"), "hello-world");',
    `  assert.equal(slugify("  --Orch  rocks--  "), ${JSON.stringify(expected)});`,
    '  assert.equal(slugify("Ünïcode & Co"), "n-code-co");',
    "});",
    "```",
  ].join("\n");
const goodTests = testsWith("orch-rocks");
const failingTests = testsWith("--orch-rocks--");

export interface CodegenRun {
  directory: string;
  result: CliResult;
  calls: CallRow[];
  costUsd: number;
}

/** `cascade`: cheap first, escalating on rejection; `premium`: every step to the premium model. */
export async function runCodegen(server: FakeLlmServer, routing: "cascade" | "premium", options: { testsFailOnCheap?: boolean } = {}): Promise<CodegenRun> {
  server.reset();
  if (routing === "premium") {
    server.script("gpt-4o", { responses: [design, goodModule, goodTests] });
  } else {
    server.script("gpt-4o-mini", { responses: [design, brokenModule, options.testsFailOnCheap ? failingTests : goodTests] });
    server.script("gpt-4o", { responses: options.testsFailOnCheap ? [goodModule, goodTests] : [goodModule] });
  }
  const chain = routing === "premium" ? "[full]" : "[mini]";
  const directory = writeProject({
    "policy.yaml": `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: CODEGEN_TEST_KEY, max_retries: 0 }
models:
  mini: { model: "openai:gpt-4o-mini", prices: { input: ${prices.mini.input}, output: ${prices.mini.output} } }
  full: { model: "openai:gpt-4o", prices: { input: ${prices.full.input}, output: ${prices.full.output} } }
tiers:
  economy: ${chain}
  standard: ${chain}
  premium: [full]
escalate: [full]
`,
  });
  mkdirSync(path.join(directory, "pipelines"));
  cpSync(path.join(repositoryRoot, "pipelines/codegen.yaml"), path.join(directory, "pipelines/codegen.yaml"));
  const result = await runCliInProcess(
    ["run", path.join(directory, "pipelines/codegen.yaml"), "--policy", path.join(directory, "policy.yaml"), ...runPaths(directory), "--json"],
    { FAKE_URL: server.url, CODEGEN_TEST_KEY: "sk-codegen-test-1234" },
  );
  const calls = callRows(directory);
  return { directory, result, calls, costUsd: calls.reduce((sum, call) => sum + call.cost_usd, 0) };
}
