/**
 * The project, processes and store reads behind test/cli/run-flight-across-processes.test.ts: two
 * `orch run` processes asking one prompt, the scenarios both stores run, and the claims and rows
 * read back with SQL. Expected figures by hand: 100 input tokens at $0.15/M and 20 output tokens
 * at $0.60/M are 15,000 + 12,000 = 27,000 nano-dollars, $0.000027.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { RunEvent } from "../../../src/executor/events.js";
import type { FakeLlmServer, RecordedRequest } from "../../../src/fake-server/index.js";
import { runCliProcess, type CliResult } from "../../support/cli.js";
import { fakeOpenAiPolicy, writeProject } from "../../support/project.js";
import { jsonEvents } from "../../executor/support/run-project.js";

export const policy = fakeOpenAiPolicy("FLIGHT_TEST_KEY");

export const pipeline = `version: 1
name: shared-prompt
policy: policy.yaml
steps:
  ask:
    prompt: "Name one colour."
    output: { file: out/ask.md }
`;

export const isChat = (request: RecordedRequest) => request.path.startsWith("/v1/chat/completions");
export const chatRequests = (server: FakeLlmServer) => server.requests.filter(isChat).length;

interface StartedRun {
  pid: number;
  directory: string;
  done: Promise<CliResult>;
  /** Ctrl-C by default; SIGKILL for a process that dies mid-call. */
  interrupt(signal?: NodeJS.Signals): void;
  /** Resolves at the first `--json` event the predicate accepts, as the process prints it. */
  sees(predicate: (event: RunEvent) => boolean): Promise<RunEvent>;
}

/** `orch run --json` as a child process in a project of its own, on the store `db`. */
export function startRun(db: string, env: NodeJS.ProcessEnv, extra: string[] = []): StartedRun {
  const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
  let child!: ChildProcess;
  const done = runCliProcess(["run", "pipeline.yaml", "--db", db, "--results", path.join(directory, "results"), "--json", ...extra], {
    cwd: directory,
    env,
    onSpawn: (spawned) => (child = spawned),
  });
  return {
    pid: child.pid!,
    directory,
    done,
    interrupt: (signal = "SIGINT") => child.kill(signal),
    sees: (predicate) =>
      new Promise((resolve, reject) => {
        let buffered = "";
        const onData = (chunk: Buffer) => {
          buffered += chunk.toString();
          const match = jsonEvents(buffered).find(predicate);
          if (match) {
            child.stdout!.off("data", onData);
            resolve(match);
          }
        };
        child.stdout!.on("data", onData);
        void done.then((result) => reject(new Error(`the run ended (exit ${result.code}) before the event: ${result.stdout}${result.stderr}`)));
      }),
  };
}

export const endOf = (result: CliResult) => {
  const end = jsonEvents(result.stdout).at(-1);
  assert.ok(end?.type === "run-end", `a run-end event: ${result.stdout}${result.stderr}`);
  return end;
};
export const attemptEnds = (result: CliResult) => jsonEvents(result.stdout).filter((event) => event.type === "attempt-end");
export const waits = (result: CliResult) => jsonEvents(result.stdout).filter((event) => event.type === "provider-wait");

interface ClaimRow {
  holder: string;
  state: string;
  claimed_at: string;
  expires_at: string;
}

interface StoreRows {
  calls(): Promise<{ run_id: string; status: string; cost_usd: number }[]>;
  reservations(): Promise<{ run_id: string; status: string; settled_nano_usd: number | null }[]>;
  claims(): Promise<ClaimRow[]>;
}

const callsQuery = "SELECT run_id, status, cost_usd FROM llm_calls ORDER BY id";
const reservationsQuery = "SELECT run_id, status, settled_nano_usd FROM budget_reservations ORDER BY id";
const claimsQuery = "SELECT holder, state, claimed_at, expires_at FROM in_flight_calls ORDER BY cache_key";

export function sqliteRows(file: string): StoreRows {
  const read = <T>(sql: string): Promise<T[]> => {
    const database = new Database(file, { readonly: true });
    try {
      return Promise.resolve(database.prepare(sql).all() as T[]);
    } finally {
      database.close();
    }
  };
  return { calls: () => read(callsQuery), reservations: () => read(reservationsQuery), claims: () => read(claimsQuery) };
}

export function postgresRows(url: string): StoreRows {
  const read = async <T>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    calls: () => read(callsQuery),
    claims: () => read(claimsQuery),
    reservations: async () => (await read<{ run_id: string; status: string; settled_nano_usd: string | null }>(reservationsQuery)).map((row) => ({ ...row, settled_nano_usd: row.settled_nano_usd === null ? null : Number(row.settled_nano_usd) })),
  };
}

/**
 * The first process's request held at the server, and a second process waiting for it: returned
 * once the second has said (its `provider-wait` event) that it waits. The test releases `held`.
 */
export async function holderAndWaiter(server: FakeLlmServer, db: string, env: NodeJS.ProcessEnv) {
  const held = server.hold(isChat);
  const first = startRun(db, env);
  await held.reached;
  const second = startRun(db, env);
  const wait = await second.sees((event) => event.type === "provider-wait");
  return { held, first, second, wait };
}

/** Two processes, one prompt, one request: the second waits for the first and is served its answer. */
export async function oneCallForTwoProcesses(server: FakeLlmServer, env: NodeJS.ProcessEnv, db: string, rows: StoreRows): Promise<void> {
  const { held, first, second, wait } = await holderAndWaiter(server, db, env);
  assert.equal(chatRequests(server), 1, "the second process waits instead of calling");
  held.release();
  const [firstResult, secondResult] = await Promise.all([first.done, second.done]);

  assert.equal(firstResult.code, 0, firstResult.stdout + firstResult.stderr);
  assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
  assert.equal(chatRequests(server), 1, "exactly one request reached the server");
  assert.equal(readFileSync(path.join(first.directory, "out/ask.md"), "utf8"), "Teal.\n");
  assert.equal(readFileSync(path.join(second.directory, "out/ask.md"), "utf8"), "Teal.\n");

  assert.ok(wait.type === "provider-wait");
  assert.equal(wait.step, "ask");
  assert.equal(wait.provider, "api");
  assert.ok(wait.holder?.startsWith(`${os.hostname()}:${first.pid}:`), `the holder names the first process: ${wait.holder}`);
  assert.deepEqual(waits(firstResult), [], "the first process waited for nobody");

  const [paid] = attemptEnds(firstResult);
  assert.ok(paid?.type === "attempt-end" && paid.cached === undefined && paid.status === "succeeded");
  assert.equal(paid.costUsd, 0.000027);
  const [served] = attemptEnds(secondResult);
  assert.ok(served?.type === "attempt-end" && served.status === "succeeded");
  assert.equal(served.cached, true);
  assert.equal(served.costUsd, 0);
  assert.equal(served.savedUsd, 0.000027);
  const firstEnd = endOf(firstResult);
  const secondEnd = endOf(secondResult);
  assert.deepEqual([firstEnd.totals.calls, firstEnd.totals.cacheHits, firstEnd.totals.costUsd], [1, 0, 0.000027]);
  assert.deepEqual([secondEnd.totals.calls, secondEnd.totals.cacheHits, secondEnd.totals.costUsd], [0, 1, 0]);

  assert.deepEqual(await rows.calls(), [
    { run_id: firstEnd.runId, status: "succeeded", cost_usd: 0.000027 },
    { run_id: secondEnd.runId, status: "cached", cost_usd: 0 },
  ]);
  assert.deepEqual(await rows.reservations(), [{ run_id: firstEnd.runId, status: "settled", settled_nano_usd: 27_000 }], "the waiter reserved nothing");
}

/** A lease short enough that a test outlives several of them in about a second. */
const testLeaseMs = 300;

/** Reads the store's one claim until `accepts` takes it (a renewal, a takeover): a signal from the store, not a pause. */
async function claimWhen(rows: StoreRows, accepts: (claim: ClaimRow) => boolean): Promise<ClaimRow> {
  for (;;) {
    const [claim] = await rows.claims();
    if (claim && accepts(claim)) return claim;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A holder whose call is held at the server while its waiter waits more than four leases keeps its
 * claim by renewing it: the waiter waits on (one wait event), never takes over, and is served the
 * one answer. Under the old rule (the expiry fixed at claim time) the waiter took over at it.
 */
export async function holderRenewsPastSeveralLeases(server: FakeLlmServer, env: NodeJS.ProcessEnv, db: string, rows: StoreRows): Promise<void> {
  const leaseEnv = { ...env, ORCH_IN_FLIGHT_LEASE_MS: String(testLeaseMs) };
  const { held, first, second, wait } = await holderAndWaiter(server, db, leaseEnv);
  const firstHolds = (claim: ClaimRow) => claim.holder.startsWith(`${os.hostname()}:${first.pid}:`) && claim.state === "in-flight";
  // Renewed four leases after the wait began (its expiry a lease past that), or (the failure) no longer the first process's claim.
  const renewedAfter = Date.parse(wait.at) + 5 * testLeaseMs;
  const renewed = await claimWhen(rows, (claim) => !firstHolds(claim) || Date.parse(claim.expires_at) > renewedAfter);
  assert.ok(firstHolds(renewed), `still the first process's claim in flight: ${JSON.stringify(renewed)}`);
  assert.equal(chatRequests(server), 1, "four leases into the wait, the waiter has not taken over");
  held.release();
  const [firstResult, secondResult] = await Promise.all([first.done, second.done]);
  assert.equal(firstResult.code, 0, firstResult.stdout + firstResult.stderr);
  assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
  assert.equal(chatRequests(server), 1, "paid once");
  assert.equal(waits(secondResult).length, 1, "one wait event however many times the claim was renewed");
  const [served] = attemptEnds(secondResult);
  assert.ok(served?.type === "attempt-end" && served.cached === true && served.costUsd === 0);
}
