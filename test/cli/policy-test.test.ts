import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot, runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const shippedPolicies = readdirSync(path.join(repositoryRoot, "routing-policies"))
  .filter((name) => name.endsWith(".yaml") && !name.endsWith(".test.yaml"))
  .map((name) => name.replace(/\.yaml$/, ""));

const defaultPolicy = path.join(repositoryRoot, "routing-policies/default.yaml");

async function testCases(cases: string, policyFile = defaultPolicy) {
  const directory = writeProject({ "cases.yaml": cases });
  const file = path.join(directory, "cases.yaml");
  return { ...(await runCliInProcess(["policy", "test", policyFile, file])), file };
}

describe("orch policy test", () => {
  for (const name of shippedPolicies) {
    it(`passes on routing-policies/${name}.yaml with its cases`, async () => {
      const { code, stdout, stderr } = await runCliInProcess([
        "policy",
        "test",
        path.join(repositoryRoot, `routing-policies/${name}.yaml`),
        path.join(repositoryRoot, `routing-policies/${name}.test.yaml`),
      ]);
      assert.equal(code, 0, stdout + stderr);
      const total = /(\d+) of (\d+) cases passed\n$/.exec(stdout);
      assert.ok(total && total[1] === total[2], stdout);
      assert.doesNotMatch(stdout, /✗/);
    });
  }

  it("fails a wrong case with exit 1, where it is, a diff and the explanation", async () => {
    const { code, stdout, file } = await testCases(`- name: right
  request: { task: edit }
  expect: { first: coding-agent }
- name: wrong
  request: { task: code, language: typescript, tokens: 3000 }
  expect: { first: claude, matched: deep-analysis }
`);
    assert.equal(code, 1);
    const lines = stdout.split("\n");
    assert.ok(lines.includes("  ✓ right"), stdout);
    assert.ok(lines.includes(`  ✗ wrong (${file}:4:3)`), stdout);
    assert.ok(lines.includes('      first: expected "claude", got "gpt (openai:gpt-5.4)"'), stdout);
    assert.ok(lines.includes('      matched: expected "deep-analysis", got "js-ts-code"'), stdout);
    assert.ok(lines.includes("      explanation:"), stdout);
    assert.ok(lines.includes('        route: rule "js-ts-code" — task is "code", language is "typescript", $20.00 left today is over $5'), stdout);
    assert.match(stdout, /\n1 of 2 cases passed, 1 failed\n$/);
  });

  it("reports an invalid cases file with file:line:column and exit 2", async () => {
    const { code, stderr, file } = await testCases(`- name: typo
  request: { task: code, tokns: 3000 }
  expect: { first: gpt }
`);
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`^${escape(file)}:2:26 error \\[0\\]\\.request\\.tokns: unknown key "tokns".*did you mean "tokens"\\?$`, "m"));
  });

  it("rejects names the policy does not have, so a case cannot pass by accident", async () => {
    const { code, stderr, file } = await testCases(`- name: one
  request: { task: chat, unavailable: [olama] }
  expect: { first: nan, matched: small-task }
- name: one
  request: { task: chat }
  expect: { first: local }
`);
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`${escape(file)}:2:40 error \\[0\\]\\.request\\.unavailable\\[0\\]: unknown provider "olama" in .*default\\.yaml — did you mean "ollama"\\?`));
    assert.match(stderr, /\[0\]\.expect\.first: unknown model alias "nan" in .*default\.yaml — did you mean "nano"\?/);
    assert.match(stderr, /\[0\]\.expect\.matched: no rule "small-task" in .*default\.yaml .* — did you mean "small-tasks"\?/);
    assert.match(stderr, /\[1\]\.name: case name "one" is already used by case 1/);
    assert.match(stderr, /4 errors; nothing was run\./);
  });

  it("exits 2 on an invalid policy", async () => {
    const directory = writeProject({ "policy.yaml": "version: 1\nproviders: {}\n", "cases.yaml": "- name: a\n  request: { task: chat }\n  expect: { first: x }\n" });
    const { code, stderr } = await runCliInProcess(["policy", "test", path.join(directory, "policy.yaml"), path.join(directory, "cases.yaml")]);
    assert.equal(code, 2);
    assert.match(stderr, /policy\.yaml:\d+:\d+ error/);
  });

  it("prints the result as JSON with --json", async () => {
    const { code, stdout } = await runCliInProcess(["policy", "test", defaultPolicy, path.join(repositoryRoot, "routing-policies/default.test.yaml"), "--json"]);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as { passed: string[]; failed: unknown[] };
    assert.ok(parsed.passed.length >= 7);
    assert.deepEqual(parsed.failed, []);
  });

  it("answers bad usage with exit 2", async () => {
    const none = await runCliInProcess(["policy"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing subcommand\nhint: usage: orch policy test/);
    const typo = await runCliInProcess(["policy", "tset", "a", "b"]);
    assert.match(typo.stderr, /unknown subcommand "policy tset"/);
    const one = await runCliInProcess(["policy", "test", defaultPolicy]);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /expected a policy file and a cases file/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
