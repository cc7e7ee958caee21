/**
 * Canary secrets never come out of orch, whatever route they take in: a validator that dumps its
 * environment, a repair prompt built from its output, a server that echoes keys in its answer, a
 * template error quoting one. Everything written (stdout, events, SQLite with its WAL, result and
 * output files, the --record file) is scanned.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { inheritedVariables } from "../../src/secrets/child-environment.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, openDatabase, runPaths } from "../executor/support/run-project.js";

const canary = (prefix: string) => `${prefix}-canary-${randomBytes(10).toString("hex")}`;
const canaries = {
  ANTHROPIC_API_KEY: canary("sk-ant"),
  GITHUB_TOKEN: canary("ghp"),
  AWS_SECRET_ACCESS_KEY: canary("aws"),
  DEPLOY_TOKEN: canary("dpl"),
  OPENAI_TEST_KEY: canary("sk"),
};

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every canary found in what the run printed and in every file under the project (the database included). */
function leaked(directory: string, printed: string, except: readonly string[] = []): string[] {
  const written = [printed, ...filesUnder(directory).filter((file) => !except.includes(file) && statSync(file).isFile()).map((file) => readFileSync(file).toString("latin1"))].join("\n");
  return Object.entries(canaries).flatMap(([name, value]) => (written.includes(value) ? [name] : []));
}

/** The canaries set in this process's environment (validators start from it) for the length of `work`. */
async function withCanaryEnvironment<T>(work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(canaries).map((name) => [name, process.env[name]]));
  Object.assign(process.env, canaries);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe("secrets", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  it("validators see the allowlist and pass_env only; their output, the repair prompt and the cache hold no secret", async () => {
    const directory = writeProject({});
    const dump = path.join(directory, "validator-env.txt");
    const pipeline = `version: 1
name: gates
policy: policy.yaml
steps:
  gen:
    prompt: "Write add."
    repair: true
    output:
      file: out/add.mjs
      pass_env: [DEPLOY_TOKEN]
      validate: ["env > '${dump}'; env | grep -i -e key -e token -e secret; exit 1"]
`;
    const responses = [
      // Answers only when the repair prompt carries the Anthropic key, as it did when validators saw it.
      `{ step: gen, contains: "${canaries.ANTHROPIC_API_KEY}", text: "LEAKED INTO THE REPAIR PROMPT" }`,
      `{ step: gen, text: "export const add = (a, b) => a + b;" }`,
    ];
    writeFileSync(path.join(directory, "pipeline.yaml"), pipeline);
    writeFileSync(path.join(directory, "policy.yaml"), mockPolicy(responses, "escalate: [mid]\n"));

    const result = await withCanaryEnvironment(() => runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"], canaries));
    assert.equal(result.code, 1, result.stdout + result.stderr);

    const seen = readFileSync(dump, "utf8");
    const names = seen.split("\n").flatMap((line) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(line) ? [line.slice(0, line.indexOf("="))] : []));
    const allowed = new Set([...inheritedVariables, "DEPLOY_TOKEN", "ORCH_FILE", "ORCH_DIR", "ORCH_NAME", "ORCH_PROVIDER", "ORCH_MODEL", "ORCH_ITEM", "ORCH_ITEM_INDEX", "PWD", "SHLVL", "_", "OLDPWD"]);
    assert.deepEqual(names.filter((name) => !allowed.has(name) && !name.startsWith("LC_")), [], "only allowlisted variables reach a validator");
    for (const name of ["ANTHROPIC_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "OPENAI_TEST_KEY", "NODE_TEST_CONTEXT"]) assert.ok(!names.includes(name), name);
    assert.ok(names.includes("DEPLOY_TOKEN") && names.includes("PATH"), "pass_env and PATH do");

    const answers = jsonEvents(result.stdout).flatMap((event) => (event.type === "attempt-end" ? [event] : []));
    assert.ok(answers.length >= 2, "a repair attempt was made");
    const [first] = callRows(directory) as (ReturnType<typeof callRows>[number] & { checker_output: string | null })[];
    assert.match(first!.checker_output ?? "", /DEPLOY_TOKEN=\[redacted\]/, "the checker output is kept, scrubbed");
    const stepJson = JSON.parse(readFileSync(path.join(directory, "results/latest/gen.json"), "utf8")) as { attempts: { checkerOutput?: string }[] };
    assert.match(stepJson.attempts[0]?.checkerOutput ?? "", /DEPLOY_TOKEN=\[redacted\]/, "and in the step JSON");
    const rejected = jsonEvents(result.stdout).find((event) => event.type === "answer-rejected");
    assert.match(rejected?.type === "answer-rejected" ? (rejected.checkerOutput ?? "") : "", /DEPLOY_TOKEN=\[redacted\]/, "and in the run output");
    assert.deepEqual(leaked(directory, result.stdout + result.stderr, [dump, path.join(directory, "policy.yaml")]), []);
    assert.ok(!result.stdout.includes("LEAKED INTO THE REPAIR PROMPT"));
  });

  it("scrubs keys a server echoes in its answer from outputs, cache, results, output files and the recording", async () => {
    server.reset();
    const echo = `I saw Authorization: Bearer ${canaries.OPENAI_TEST_KEY} and ${canaries.GITHUB_TOKEN} ${canaries.AWS_SECRET_ACCESS_KEY}`;
    server.script("gpt-4o-mini", { responses: [echo, echo] });
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: echo\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: "Say hi."\n  b:\n    needs: [a]\n    prompt: "Repeat <%= it.steps.a.output %>"\n    output: { file: out/b.md }\n`,
      "policy.yaml": `version: 1\nproviders:\n  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }\nmodels:\n  gpt: { model: "openai:gpt-4o-mini", prices: { input: 0.15, output: 0.6 } }\ntiers: { economy: [gpt], standard: [gpt], premium: [gpt] }\n`,
    });
    const recording = path.join(directory, "recording.jsonl");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", "--record", recording], { ...canaries, FAKE_URL: server.url });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const database = openDatabase(directory);
    const cached = database.prepare("SELECT answer FROM cached_answers ORDER BY id").all() as { answer: string }[];
    database.close();
    assert.equal(cached.length, 2);
    assert.match(cached[0]!.answer, /Bearer \[redacted\] and \[redacted\] \[redacted\]/);
    assert.match(readFileSync(path.join(directory, "out/b.md"), "utf8"), /\[redacted\]/);
    assert.match(readFileSync(recording, "utf8"), /\[redacted\]/);
    // The second prompt was built from the scrubbed answer: the key did not travel on to the next call either.
    const sent = JSON.stringify(server.requests.filter((request) => request.path.startsWith("/v1/chat")).map((request) => request.body));
    assert.equal(sent.includes(canaries.GITHUB_TOKEN), false);
    assert.deepEqual(leaked(directory, result.stdout + result.stderr), []);
  });

  it("scrubs a secret quoted by a template error from stdout, events, SQLite and the step JSON", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: t\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: "A."\n    output: { format: json }\n  b:\n    needs: [a]\n    prompt: "Use <%= it.steps.a.json['${canaries.GITHUB_TOKEN}'] %>."\n`,
      "policy.yaml": mockPolicy([`{ step: a, text: '{"x": 1}' }`]),
    });
    for (const json of [true, false]) {
      const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), ...(json ? ["--json"] : [])], canaries);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /template error: .*\[redacted\]/);
      assert.deepEqual(leaked(directory, result.stdout + result.stderr, [path.join(directory, "pipeline.yaml")]), []);
    }
  });
});
