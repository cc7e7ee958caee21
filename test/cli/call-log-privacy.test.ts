/**
 * What the call log keeps, and what it never keeps: prompts and answers in SQLite, the step JSON,
 * the recording and `plan --json`; only hashes for a sensitive step or under `log.prompts: hashes`;
 * never a secret, even one the prompt carried or the server echoed.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { mockPolicy, openDatabase, runPaths } from "../executor/support/run-project.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface TextRow {
  step: string;
  kept: string;
  messages_json: string | null;
  answer: string | null;
  answer_sha256: string | null;
  output: string;
}

function callTexts(directory: string): TextRow[] {
  const database = openDatabase(directory);
  try {
    return database
      .prepare(
        `SELECT c.step, t.kept, t.messages_json, t.answer, t.answer_sha256, s.output FROM llm_calls c
         JOIN llm_call_texts t ON t.call_id = c.id JOIN step_executions s ON s.id = c.step_execution_id ORDER BY c.id`,
      )
      .all() as TextRow[];
  } finally {
    database.close();
  }
}

const pipeline = `version: 1
name: private
policy: policy.yaml
steps:
  open:
    prompt: "Describe the weather."
  secret:
    sensitive: true
    prompt: "Read the diary."
  after:
    needs: [open]
    prompt: "Shorten: <%= it.steps.open.output %>"
`;
const responses = [`{ step: open, text: "Sunny and warm." }`, `{ step: secret, text: "Dear diary, nothing." }`, `{ step: after, text: "Sunny." }`];

describe("call log privacy", () => {
  it("keeps messages and answers, in SQLite, the step JSON, the recording and plan --json; a sensitive step keeps hashes only", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": mockPolicy(responses) });
    const recording = path.join(directory, "recording.jsonl");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--record", recording]);
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const rows = callTexts(directory);
    assert.deepEqual(rows.map((row) => [row.step, row.kept]).sort(), [["after", "full"], ["open", "full"], ["secret", "hashes"]]);
    const open = rows.find((row) => row.step === "open")!;
    assert.deepEqual(JSON.parse(open.messages_json!), [{ role: "user", content: "Describe the weather." }]);
    assert.equal(open.answer, "Sunny and warm.");
    assert.equal(open.answer_sha256, null, "the answer is kept: no hash needed");
    const secret = rows.find((row) => row.step === "secret")!;
    assert.equal(secret.messages_json, null);
    assert.equal(secret.answer, null);
    assert.equal(secret.answer_sha256, sha256("Dear diary, nothing."));

    const stepJson = (step: string) => JSON.parse(readFileSync(path.join(directory, `results/latest/${step}.json`), "utf8")) as { prompt?: unknown; promptSha256?: string };
    assert.deepEqual(stepJson("open").prompt, [{ role: "user", content: "Describe the weather." }]);
    assert.deepEqual(stepJson("after").prompt, [{ role: "user", content: "Shorten: Sunny and warm." }]);
    assert.equal(stepJson("secret").prompt, undefined);
    assert.equal(stepJson("secret").promptSha256, sha256(JSON.stringify([{ role: "user", content: "Read the diary." }])));

    const recorded = readFileSync(recording, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { messages?: unknown; response: { text: string } });
    assert.deepEqual(recorded.find((line) => line.response.text === "Sunny and warm.")?.messages, [{ role: "user", content: "Describe the weather." }]);
    const secretLine = recorded.find((line) => line.response.text === "Dear diary, nothing.")!;
    assert.equal(secretLine.messages, undefined);
    assert.ok(!readFileSync(recording, "utf8").includes("Read the diary."));

    const shown = await runCliInProcess(["show", "latest", "secret", "--db", path.join(directory, "state/orch.db")]);
    assert.match(shown.stdout, /^prompt only its hash is kept \(a sensitive step, or log\.prompts: hashes\): sha256 [0-9a-f]{64}$/m);
    assert.match(shown.stdout, new RegExp(`^ {2}answer: only its hash is kept: sha256 ${sha256("Dear diary, nothing.")}$`, "m"));
    assert.ok(!shown.stdout.includes("Read the diary."));

    const plan = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--json", "--db", path.join(directory, "state/orch.db")]);
    assert.equal(plan.code, 0, plan.stderr);
    const planned = (JSON.parse(plan.stdout) as { order: { step: string; prompt?: unknown }[] }).order;
    assert.deepEqual(planned.find((step) => step.step === "open")?.prompt, [{ role: "user", content: "Describe the weather." }]);
    assert.equal(planned.find((step) => step.step === "secret")?.prompt, undefined, "sensitive: not shown");
    assert.equal(planned.find((step) => step.step === "after")?.prompt, undefined, "reads an output that does not exist yet");
  });

  it("log: { prompts: hashes } in the policy keeps hashes for every step", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": mockPolicy(responses, "log: { prompts: hashes }\n") });
    const recording = path.join(directory, "recording.jsonl");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--record", recording]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(callTexts(directory).map((row) => [row.kept, row.messages_json, row.answer]), [["hashes", null, null], ["hashes", null, null], ["hashes", null, null]]);
    assert.equal(JSON.parse(readFileSync(path.join(directory, "results/latest/open.json"), "utf8")).prompt, undefined);
    assert.ok(!readFileSync(recording, "utf8").includes("Describe the weather."));
    const plan = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--json", "--db", path.join(directory, "state/orch.db")]);
    assert.ok(!plan.stdout.includes("Describe the weather."));
  });
});

describe("call log secrets", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  it("a key in the environment, carried by a context file and echoed by the server, reaches neither llm_call_texts nor show nor diff", async () => {
    const providerKey = `sk-canary-${randomBytes(10).toString("hex")}`;
    const githubToken = `ghp-canary-${randomBytes(10).toString("hex")}`;
    server.script("gpt-4o-mini", { defaultResponse: `I saw Authorization: Bearer ${providerKey} and ${githubToken}` });
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: echo\npolicy: policy.yaml\nsteps:\n  a:\n    context: [notes.txt]\n    prompt: "Notes: <%= it.context[0].content %>"\n`,
      "notes.txt": `deploy with ${githubToken}\n`,
      "policy.yaml": `version: 1\nproviders:\n  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }\nmodels:\n  gpt: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }\ntiers: { economy: [gpt], standard: [gpt], premium: [gpt] }\n`,
    });
    const env = { OPENAI_TEST_KEY: providerKey, GITHUB_TOKEN: githubToken, FAKE_URL: server.url };
    const database = path.join(directory, "state/orch.db");
    const recording = path.join(directory, "recording.jsonl");
    for (const extra of [[], ["--no-cache"]]) {
      const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--record", recording, ...extra], env);
      assert.equal(result.code, 0, result.stdout + result.stderr);
    }
    // The secret did travel in the prompt (orch sends what the pipeline asks), so a leak would show.
    assert.ok(JSON.stringify(server.requests.map((request) => request.body)).includes(githubToken));

    const rows = callTexts(directory);
    assert.equal(rows.length, 2);
    assert.match(rows[0]!.messages_json!, /deploy with \[redacted\]/);
    assert.match(rows[0]!.answer!, /Bearer \[redacted\] and \[redacted\]/);
    const printed = [
      await runCliInProcess(["show", "latest", "a", "--db", database], env),
      await runCliInProcess(["show", "latest", "a", "--json", "--db", database], env),
      await runCliInProcess(["diff", "latest", "--db", database], env),
      await runCliInProcess(["diff", "latest", "--format", "markdown", "--db", database], env),
      await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--json", "--db", database], env),
    ];
    for (const output of printed) assert.equal(output.code, 0, output.stderr);
    assert.match(printed[0]!.stdout, /│ Notes: deploy with \[redacted\]/);
    const files = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isSymbolicLink() ? [] : entry.isDirectory() ? files(path.join(folder, entry.name)) : [path.join(folder, entry.name)]));
    const written = [
      ...printed.map((output) => output.stdout + output.stderr),
      ...files(directory).filter((file) => !file.endsWith("notes.txt") && statSync(file).isFile()).map((file) => readFileSync(file).toString("latin1")),
    ].join("\n");
    assert.equal(written.includes(providerKey), false, "the provider key");
    assert.equal(written.includes(githubToken), false, "the token from the context file");
  });
});
