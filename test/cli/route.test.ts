import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { createLedger } from "../../src/budget/ledger.js";
import { openStore } from "../../src/store/index.js";
import { runCliInProcess, runCliProcess, temporaryDirectory } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const policy = `version: 1
providers:
  offline: { type: mock }
  openai: { type: openai, api_key_env: ORCH_TEST_OPENAI_KEY }
models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
  dear: { model: "offline:dear", prices: { input: 10, output: 30 } }
  gpt: openai:gpt-5.4-mini
tiers:
  economy: [cheap]
  standard: [cheap, dear]
  premium: [dear, cheap]
rules:
  - name: private
    when: { sensitive: true }
    use: [cheap]
  - name: code-while-money-lasts
    when: { task: code, budget_left_usd: { scope: day, gt: 5 } }
    use: [gpt, dear]
budget:
  daily_usd: 10
  time_zone: UTC
  per_tag: { drafts: { daily_usd: 1 } }
`;

function project() {
  const directory = writeProject({ "policy.yaml": policy });
  return { policyFile: path.join(directory, "policy.yaml"), db: path.join(directory, "orch.db") };
}

async function route(args: string[], env: NodeJS.ProcessEnv = { ORCH_TEST_OPENAI_KEY: "sk-test" }) {
  const { policyFile, db } = project();
  return runCliInProcess(["route", "--policy", policyFile, "--db", db, ...args], env);
}

describe("orch route", () => {
  it("says in the explanation when a model will not be sent the step's temperature", async () => {
    const explained = await route(["--task", "code", "--tokens", "3000", "--temperature", "0.2", "--explain"]);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /request: .*temperature 0\.2/);
    const gpt = explained.stdout.split("\n").find((line) => line.includes("gpt (openai:gpt-5.4-mini)"));
    assert.match(gpt ?? "", /kept: .*; temperature 0\.2 not sent \(OpenAI reasoning models/);
    const dear = explained.stdout.split("\n").find((line) => line.includes("dear (offline:dear)"));
    assert.doesNotMatch(dear ?? "missing", /not sent/);

    const json = JSON.parse((await route(["--task", "code", "--tokens", "3000", "--temperature", "0.2", "--json"])).stdout);
    assert.deepEqual(json.decision.notes.map((note: { droppedParameters?: string[] }) => note.droppedParameters ?? []), [["temperature"], []]);

    const bad = await route(["--task", "code", "--temperature", "hot"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--temperature expects a number from 0 to 2, got "hot"/);
  });

  it("prints the route of three contrasting requests in a line or two", async () => {
    const code = await route(["--task", "code", "--language", "typescript", "--tokens", "3000"]);
    assert.equal(code.code, 0, code.stderr);
    assert.match(code.stdout, /^route gpt \(openai:gpt-5\.4-mini\) · rule "code-while-money-lasts" · then dear\n/);
    assert.match(code.stdout, /\$10\.00 left today/);

    const chat = await route(["--task", "chat", "--tokens", "200", "--quality", "premium"]);
    assert.match(chat.stdout, /^route dear \(offline:dear\) · no rule matched, tier:premium · then cheap\n {6}\$0\.0020 – \$0\.12 a call · \$10\.00 left today\n$/);

    const secret = await route(["--task", "code", "--sensitive"]);
    assert.match(secret.stdout, /^route cheap \(offline:cheap\) · rule "private"\n/);
  });

  it("explains the decision with --explain, and drops a provider without its key", async () => {
    const { code, stdout } = await route(["--task", "code", "--tokens", "3000", "--explain"], {});
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split("\n");
    assert.equal(lines[0], 'route: rule "code-while-money-lasts" — task is "code", $10.00 left today is over $5');
    assert.equal(lines[1], "request: task code, quality standard, 3,000 input tokens (medium), output cap 4,096");
    assert.ok(lines.includes("candidates:"), stdout);
    assert.match(stdout, /- +gpt \(openai:gpt-5\.4-mini\) +dropped: provider "openai" unavailable — set ORCH_TEST_OPENAI_KEY/);
    assert.equal(lines.at(-1), "outcome: try dear first");
  });

  it("reads the money left from the database, per tag too", async () => {
    const { policyFile, db } = project();
    const store = await openStore(db);
    const ledger = await createLedger({ store: store.ledger, runId: "earlier", pipelineName: "p", limits: {}, timeZone: "UTC" });
    const spent = await ledger.reserve(6, { tags: ["drafts"] });
    assert.ok(spent.ok);
    await ledger.settle(spent.reservation, 5.5);
    await store.close();

    const { stdout } = await runCliInProcess(["route", "--policy", policyFile, "--db", db, "--task", "code", "--explain"], { ORCH_TEST_OPENAI_KEY: "k" });
    assert.match(stdout, /no +code-while-money-lasts +\$4\.50 left today is not over \$5/);
    const tagged = await runCliInProcess(["route", "--policy", policyFile, "--db", db, "--task", "chat", "--tags", "drafts", "--json"]);
    const parsed = JSON.parse(tagged.stdout) as { budgetLeftUsd: Record<string, number>; request: { tags: string[] } };
    assert.deepEqual(parsed.budgetLeftUsd, { day: 0 }, "the tag's $1 is all spent");
    assert.deepEqual(parsed.request.tags, ["drafts"]);
  });

  it("prints JSON with the decision and the explanation", async () => {
    const { code, stdout } = await route(["--task", "chat", "--json"]);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as { decision: { matched: string; candidates: { reference: string }[] }; explanation: string[] };
    assert.equal(parsed.decision.matched, "tier:standard");
    assert.deepEqual(parsed.decision.candidates.map((candidate) => candidate.reference), ["cheap", "dear"]);
    assert.match(parsed.explanation[0] ?? "", /^route: no rule matched → tier standard/);
  });

  it("rejects bad usage with exit 2 and a hint", async () => {
    const missing = await route([]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--task is required/);
    const quality = await route(["--task", "code", "--quality", "premum"]);
    assert.equal(quality.code, 2);
    assert.match(quality.stderr, /did you mean "premium"\?/);
    const tokens = await route(["--task", "code", "--tokens", "many"]);
    assert.match(tokens.stderr, /--tokens expects a whole number of tokens, got "many"/);
    const pin = await route(["--task", "code", "--model", "chep"]);
    assert.equal(pin.code, 2);
    assert.match(pin.stderr, /--model: unknown model alias "chep".*\nhint: did you mean "cheap"\?/);
  });

  it("asks for --policy when there is no routing-policies/default.yaml here", async () => {
    const directory = temporaryDirectory();
    const { code, stderr } = await runCliProcess(["route", "--task", "code", "--db", path.join(directory, "orch.db")], { cwd: directory });
    assert.equal(code, 2);
    assert.match(stderr, /no routing policy: routing-policies\/default\.yaml does not exist here\nhint: pass --policy FILE/);
  });
});
