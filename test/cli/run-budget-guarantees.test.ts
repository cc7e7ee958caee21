/**
 * The budget's promises end to end, through the real OpenAI SDK against the fake server: every
 * provider attempt (retries included) is covered by its own reservation; usage beyond what the
 * request allowed is an overrun (recorded, reported, exit 3); mock spend never uses the real day.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const prompt = "Summarise: the ledger never overspends.";
const pipeline = `version: 1
name: guarantees
policy: policy.yaml
steps:
  summary:
    quality: economy
    max_tokens: 100
    prompt: "${prompt}"
`;
const policyWith = (budget: string) => `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, stream: true, max_retries: 2 }
models:
  gpt: { model: "openai:gpt-4o-mini", prices: { input: 0.15, output: 0.6 } }
tiers: { economy: [gpt], standard: [gpt], premium: [gpt] }
${budget}`;
/** The documented worst case: the prompt's UTF-8 bytes + 8 framing tokens at the input price, max_tokens at the output price. */
const worstCaseNano = ((Buffer.byteLength(prompt) + 8) * 0.15 + 100 * 0.6) * 1000;

interface ReservationRow {
  id: number;
  status: string;
  reserved_nano_usd: number;
  settled_nano_usd: number | null;
  synthetic: number;
}

function ledgerRows(file: string): { reservations: ReservationRow[]; calls: { cost_usd: number; status: string; reservation_id: number }[]; overruns: Record<string, number | string>[] } {
  const database = new Database(file, { readonly: true });
  const reservations = database.prepare(`SELECT id, status, reserved_nano_usd, settled_nano_usd, synthetic FROM budget_reservations ORDER BY id`).all() as ReservationRow[];
  const calls = database.prepare(`SELECT cost_usd, status, reservation_id FROM llm_calls ORDER BY id`).all() as { cost_usd: number; status: string; reservation_id: number }[];
  const overruns = database.prepare(`SELECT * FROM budget_overruns ORDER BY id`).all() as Record<string, number | string>[];
  database.close();
  return { reservations, calls, overruns };
}

describe("budget guarantees in a run", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  it("reserves before every retry and settles each attempt against its own reservation", async () => {
    server.reset();
    server.script("gpt-4o-mini", { responses: ["Held."], faults: [{ type: "stream_error", afterChunks: 1, times: 2 }] });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policyWith("") });
    const db = path.join(directory, "orch.db");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results"), "--json"], {
      OPENAI_TEST_KEY: "sk-test-guarantees-1",
      FAKE_URL: server.url,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const { reservations, calls } = ledgerRows(db);
    assert.equal(server.requests.length, 3, "two failed attempts, then the answer");
    assert.equal(reservations.length, 3, "one reservation per attempt");
    assert.deepEqual(reservations.map((row) => row.status), ["settled", "settled", "settled"], "no reservation left open");
    for (const row of reservations) {
      assert.equal(row.reserved_nano_usd, Math.ceil(worstCaseNano), "each attempt reserved the worst case");
      assert.ok((row.settled_nano_usd ?? 0) > 0 && (row.settled_nano_usd ?? 0) <= row.reserved_nano_usd, `attempt settled within its reservation: ${JSON.stringify(row)}`);
    }
    assert.equal(calls.length, 1);
    const settledUsd = reservations.reduce((sum, row) => sum + (row.settled_nano_usd ?? 0), 0) / 1e9;
    assert.ok(Math.abs(calls[0]!.cost_usd - settledUsd) < 1e-9, `the call's cost ${calls[0]!.cost_usd} is what its attempts settled ${settledUsd}`);
    assert.equal(calls[0]!.reservation_id, reservations[2]!.id, "the call row names its last attempt's reservation");
  });

  it("stops retrying when the budget cannot cover another attempt, and never holds more than the limit", async () => {
    server.reset();
    server.script("gpt-4o-mini", { responses: ["Held."], faults: [{ type: "stream_error", afterChunks: 1, times: 2 }] });
    // Room for one worst case and one nano-dollar: once the failed attempt has settled anything, no retry fits.
    const runUsd = (Math.ceil(worstCaseNano) + 1) / 1e9;
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policyWith(`budget: { run_usd: ${runUsd} }\n`) });
    const db = path.join(directory, "orch.db");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results")], {
      OPENAI_TEST_KEY: "sk-test-guarantees-2",
      FAKE_URL: server.url,
    });
    const { reservations } = ledgerRows(db);
    assert.equal(server.requests.length, 1, "no retry was sent");
    assert.match(result.stdout, /not retried: retry \d: worst case/);
    const held = reservations.reduce((sum, row) => sum + (row.status === "settled" ? (row.settled_nano_usd ?? 0) : row.status === "released" ? 0 : row.reserved_nano_usd), 0);
    assert.ok(held <= Math.ceil(runUsd * 1e9), `${held} within the run's limit`);
    assert.ok(reservations.every((row) => row.status !== "reserved"), "nothing left open");
  });

  it("records usage beyond max_tokens as an overrun, reports it everywhere and exits 3", async () => {
    server.reset();
    // 5,000 output tokens against max_tokens 100: reasoning tokens a server bills past the cap.
    server.script("gpt-4o-mini", { responses: ["Over."], usage: { inputTokens: 1000, outputTokens: 5000 } });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policyWith("budget: { daily_usd: 1 }\n") });
    const db = path.join(directory, "orch.db");
    const env = { OPENAI_TEST_KEY: "sk-test-guarantees-3", FAKE_URL: server.url };
    const json = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results"), "--json"], env);
    assert.equal(json.code, 3, json.stdout + json.stderr);
    const events = json.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const settledNano = (1000 * 0.15 + 5000 * 0.6) * 1000;
    const overrun = events.find((event) => event.type === "budget-overrun");
    assert.ok(overrun, "a budget-overrun event");
    assert.deepEqual(
      { step: overrun.step, attempt: overrun.attempt, provider: overrun.provider, synthetic: overrun.synthetic },
      { step: "summary", attempt: 1, provider: "openai", synthetic: false },
    );
    assert.ok(Math.abs(overrun.settledUsd - settledNano / 1e9) < 1e-12);
    assert.ok(Math.abs(overrun.overrunUsd - (settledNano - Math.ceil(worstCaseNano)) / 1e9) < 1e-12);
    const end = events.find((event) => event.type === "run-end");
    assert.deepEqual([end.exitCode, end.totals.overruns], [3, 1]);
    const { overruns } = ledgerRows(db);
    assert.equal(overruns.length, 1);
    assert.equal(overruns[0]!.overrun_nano_usd, settledNano - Math.ceil(worstCaseNano));

    const plain = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results"), "--no-cache"], env);
    assert.equal(plain.code, 3);
    assert.match(plain.stdout, /! overrun: summary attempt 1 \(openai:gpt-4o-mini\) settled \$0\.0032 against \$0\.0000\d+ reserved/);
    assert.match(plain.stdout, /overrun +1 call cost \$[0-9.]+ more than reserved \(recorded in the ledger; exit 3\)/);

    const budget = await runCliInProcess(["budget", "--policy", path.join(directory, "policy.yaml"), "--db", db], env);
    assert.equal(budget.code, 3, "orch budget says so in its exit code");
    assert.equal((budget.stdout.match(/^overrun .* step summary attempt 1 \(openai:gpt-4o-mini\)/gm) ?? []).length, 2);
    const report = await runCliInProcess(["report", "--db", db], env);
    assert.match(report.stdout, /overruns 2 calls cost \$[0-9.]+ more than reserved/);
  });

  it("a scope over its limit after an overrun grants no further paid reservation", async () => {
    server.reset();
    server.script("gpt-4o-mini", { responses: ["Over.", "Again."], usage: { inputTokens: 1000, outputTokens: 5000 } });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policyWith("budget: { daily_usd: 0.001 }\n") });
    const db = path.join(directory, "orch.db");
    const env = { OPENAI_TEST_KEY: "sk-test-guarantees-4", FAKE_URL: server.url };
    const first = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results")], env);
    assert.equal(first.code, 3, "overran the day: $0.00315 settled against $0.001");
    const second = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results"), "--no-cache"], env);
    assert.equal(second.code, 3);
    assert.match(second.stdout, /budget stopped/);
    assert.equal(server.requests.length, 1, "the second run made no call");
  });
});

describe("synthetic money", () => {
  it("mock spend counts in its run but never in the real day, and the real day never stops it", async () => {
    const directory = writeProject({
      "pipeline.yaml": pipeline,
      "policy.yaml": `version: 1
providers:
  mock: { type: mock }
models:
  small: { model: "mock:small", prices: { input: 1, output: 4 } }
tiers: { economy: [small], standard: [small], premium: [small] }
budget: { daily_usd: 0.000001, run_usd: 1 }
`,
    });
    const db = path.join(directory, "orch.db");
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", db, "--results", path.join(directory, "results")], {});
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const { reservations } = ledgerRows(db);
    assert.equal(reservations.length, 1);
    assert.equal(reservations[0]!.synthetic, 1);
    assert.ok((reservations[0]!.settled_nano_usd ?? 0) > 0, "the mock's synthetic cost is settled");
    const budget = await runCliInProcess(["budget", "--policy", path.join(directory, "policy.yaml"), "--db", db, "--json"], {});
    const status = JSON.parse(budget.stdout);
    const today = status.scopes.find((scope: { scope: string; subject?: unknown }) => scope.scope === "day" && !scope.subject);
    assert.equal(today.spentUsd, 0, "the real day spent nothing");
    assert.equal(today.syntheticUsd, (reservations[0]!.settled_nano_usd ?? 0) / 1e9);
    const text = await runCliInProcess(["budget", "--policy", path.join(directory, "policy.yaml"), "--db", db], {});
    assert.match(text.stdout, /synthetic \(mock, replay\) spend, not counted against the real day and month: today \$/);
  });
});
