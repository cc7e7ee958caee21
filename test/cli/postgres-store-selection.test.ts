/**
 * Choosing the PostgreSQL store without `--db`: `ORCH_DB=postgres://…` and orch.config.yaml
 * `database: postgres://…`, in that order under `--db`, for every command that reads or writes the
 * store — with a real server, a password-protected role, and the CLI as a child process (so the
 * password is registered with the redactor by the process that prints, as for a user). No output
 * may contain the password. Needs ORCH_TEST_POSTGRES_URL; skips saying why without it.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { describePostgresUrl } from "../../src/store/index.js";
import { runCliProcess, temporaryDirectory, type CliResult } from "../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../support/postgres.js";
import { writeProject } from "../support/project.js";
import { createPasswordedStore, dropRoles, type PasswordedStore } from "./support/postgres-role.js";
import { chatRequestsOf, scenarioKey } from "./support/store-scenario.js";

const policy = `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  mini: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }
tiers: { economy: [mini], standard: [mini], premium: [mini] }
budget: { daily_usd: 1 }
`;

/** "Say hello to the team." is 5 tokens in, "Hello team." 2 out: 5,000 + 4,000 = 9,000 nano-dollars. */
const pipeline = `version: 1
name: hello
policy: policy.yaml
steps:
  greet: { prompt: "Say hello to the team." }
`;

describe("the PostgreSQL store chosen by ORCH_DB or orch.config.yaml", { skip: postgresSkip() }, () => {
  let server: FakeLlmServer;
  let database: TestDatabase;
  const roles: string[] = [];
  const passwords: string[] = [];
  before(async () => {
    server = await startFakeLlmServer();
    database = await createTestDatabase("orch_selection");
  });
  after(async () => {
    await server?.close();
    await database?.drop();
    await dropRoles(roles);
  });

  async function newStore(): Promise<PasswordedStore> {
    const store = await createPasswordedStore(database);
    roles.push(store.role);
    passwords.push(store.password);
    return store;
  }

  function cli(directory: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    // A home of its own: a command that fell back to $ORCH_HOME/orch.db would find nothing there.
    return runCliProcess(args, { cwd: directory, env: { ORCH_HOME: temporaryDirectory("orch-home-"), OPENAI_TEST_KEY: scenarioKey, FAKE_URL: server.url, ...env } });
  }

  function assertNoPassword(...results: CliResult[]): void {
    for (const result of results) {
      for (const password of passwords) assert.equal(`${result.stdout}${result.stderr}`.includes(password), false, `a password was printed: ${result.stdout}${result.stderr}`);
    }
  }

  const runIds = (result: CliResult) => (JSON.parse(result.stdout) as { id: string; pipeline: string; costUsd: number }[]).map((run) => [run.pipeline, run.costUsd]);

  it("orch.config.yaml `database: postgres://…` is the store of run, runs, show, diff, report, budget and cache", async () => {
    server.reset();
    server.script("gpt-4o-mini", { responses: ["Hello team."] });
    const store = await newStore();
    const directory = writeProject({ "orch.config.yaml": `version: 1\npolicy: policy.yaml\ndatabase: ${store.url}\n`, "policy.yaml": policy, "pipeline.yaml": pipeline });
    const shownLocation = describePostgresUrl(store.url);

    const run = await cli(directory, ["run", "pipeline.yaml"]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(`database ${shownLocation}`), `the summary names the store without its password: ${run.stdout}`);
    const again = await cli(directory, ["run", "pipeline.yaml"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(chatRequestsOf(server), 1, "the second run was served by the PostgreSQL cache");

    const runs = await cli(directory, ["runs", "--json"]);
    assert.deepEqual(runIds(runs), [["hello", 0], ["hello", 0.000009]]);
    const list = await cli(directory, ["runs"]);
    assert.match(list.stdout, new RegExp(`^2 runs · ${shownLocation.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} · `, "m"));
    const show = await cli(directory, ["show", "latest"]);
    assert.match(show.stdout, /✓ greet +succeeded · openai:gpt-4o-mini · 1 call · \$0$/m);
    const diff = await cli(directory, ["diff", "latest"]);
    assert.match(diff.stdout, /cost \$0\.000009 → \$0 \(-\$0\.000009\)/);
    const report = await cli(directory, ["report"]);
    assert.match(report.stdout, /spend \$0\.000009 /);
    assert.ok(report.stdout.includes(shownLocation));
    const budget = await cli(directory, ["budget", "--json"]);
    const day = (JSON.parse(budget.stdout) as { database: string; scopes: { scope: string; spentUsd: number }[] }).scopes.find((scope) => scope.scope === "day");
    assert.equal(day?.spentUsd, 0.000009);
    assert.equal((JSON.parse(budget.stdout) as { database: string }).database, shownLocation);
    const cache = await cli(directory, ["cache", "stats"]);
    assert.match(cache.stdout, /hits {6}1, which saved \$0\.000009/);
    for (const result of [runs, list, show, diff, report, budget, cache]) assert.equal(result.code, 0, result.stderr);
    assertNoPassword(run, again, runs, list, show, diff, report, budget, cache);
  });

  it("ORCH_DB=postgres://… is the store when no --db is given, over orch.config.yaml; --db over both", async () => {
    server.reset();
    server.script("gpt-4o-mini", { defaultResponse: "Hello team." });
    const [fromSettings, fromVariable, fromFlag] = [await newStore(), await newStore(), await newStore()];
    const directory = writeProject({ "orch.config.yaml": `version: 1\npolicy: policy.yaml\ndatabase: ${fromSettings.url}\n`, "policy.yaml": policy, "pipeline.yaml": pipeline });

    const run = await cli(directory, ["run", "pipeline.yaml", "--no-cache"], { ORCH_DB: fromVariable.url });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(`database ${describePostgresUrl(fromVariable.url)}`), run.stdout);
    const flagged = await cli(directory, ["run", "pipeline.yaml", "--no-cache", "--db", fromFlag.url], { ORCH_DB: fromVariable.url });
    assert.equal(flagged.code, 0, flagged.stderr);

    const listed = async (env: NodeJS.ProcessEnv, args: string[] = []) => runIds(await cli(directory, ["runs", "--json", ...args], env));
    assert.deepEqual(await listed({ ORCH_DB: fromVariable.url }), [["hello", 0.000009]], "ORCH_DB's store holds the first run");
    assert.deepEqual(await listed({}, ["--db", fromFlag.url]), [["hello", 0.000009]], "--db's store holds the second");
    assert.deepEqual(await listed({}), [], "the settings' store was not written");
    assertNoPassword(run, flagged);
  });
});
