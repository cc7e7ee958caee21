/**
 * The shared ledger's cost per call (issue 14): reserve + settle through the budget ledger
 * (`createLedger`, as the executor calls it: the reservation, in which the store checks the team's
 * stored limits, then the settlement) on PostgreSQL over loopback against SQLite (a file in WAL
 * mode), in one run, interleaved round by round. Every reservation spends for team "platform",
 * project "app", under the team's stored day and month limits, the project's cap and a database day
 * limit: the contended rows are the team's day and month, as with many CI runners.
 *
 *   latency:    one caller, each reserve + settle pair timed (median, p95);
 *   throughput: 1 and 8 callers at once in one process, pairs per second;
 *   overhead:   PostgreSQL's median pair − SQLite's, per call (goal < 2 ms on loopback).
 *
 * PostgreSQL: ORCH_TEST_POSTGRES_URL when set, else a throwaway cluster from
 * scripts/postgres-test-server.sh; when neither works the row says why and is skipped.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createLedger, type Ledger } from "../../../src/budget/ledger.js";
import type { LedgerStore } from "../../../src/contracts/ledger-store.js";
import { openStore } from "../../../src/store/index.js";
import { repositoryRoot, temporaryDirectory } from "../../support/cli.js";
import { createTestDatabase } from "../../support/postgres.js";

export const ledgerGoalMs = 2;

export interface PostgresServer {
  url: string;
  stop(): void;
}

/** The server to measure against, or the reason there is none. */
export function postgresServer(): PostgresServer | { unavailable: string } {
  const given = process.env.ORCH_TEST_POSTGRES_URL?.trim();
  if (given) return { url: given, stop: () => {} };
  const script = path.join(repositoryRoot, "scripts/postgres-test-server.sh");
  try {
    const folder = execFileSync(script, ["start"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    const url = execFileSync(script, ["url", folder], { encoding: "utf8" }).trim();
    return { url, stop: () => execFileSync(script, ["stop", folder]) };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    return { unavailable: `no PostgreSQL: ORCH_TEST_POSTGRES_URL is not set and scripts/postgres-test-server.sh start failed (${stderr || String(error)})` };
  }
}

export interface LedgerRound {
  /** Each reserve + settle pair of one caller, in ms. */
  pairMedianMs: number;
  pairP95Ms: number;
  reserveMedianMs: number;
  settleMedianMs: number;
  /** Pairs per second with 1 and with 8 callers. */
  oneCallerPerSecond: number;
  eightCallersPerSecond: number;
  /** PostgreSQL only: statements sent to the server per pair, and the median of one `SELECT 1` round trip now (the machine's load shows here). */
  statementsPerPair?: number;
  roundTripMs?: number;
}

export interface LedgerBench {
  sqlite: LedgerRound[];
  postgres: LedgerRound[];
}

const pairs = 600;
const warmUp = 100;
const throughputMs = 1500;

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** A ledger as `orch run` builds it for a project of team platform; the team's limits are stored once per store. */
async function teamLedger(store: LedgerStore, runId: string): Promise<Ledger> {
  return createLedger({
    store,
    runId,
    pipelineName: "bench",
    limits: { dailyUsd: 1_000_000, project: { project: "app", team: "platform", dailyUsd: 500_000 } },
    timeZone: "UTC",
  });
}

async function pairOf(ledger: Ledger): Promise<{ reserveMs: number; settleMs: number }> {
  const started = performance.now();
  const outcome = await ledger.reserve(0.001, { tags: ["drafts"] });
  const reserved = performance.now();
  if (!outcome.ok) throw new Error(`the bench's limits are meant never to refuse: ${outcome.refusal.reason}`);
  await ledger.settle(outcome.reservation, 0.0006);
  return { reserveMs: reserved - started, settleMs: performance.now() - reserved };
}

async function pairsPerSecond(ledger: Ledger, callers: number): Promise<number> {
  let count = 0;
  const deadline = performance.now() + throughputMs;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        await pairOf(ledger);
        count++;
      }
    }),
  );
  return (count * 1000) / throughputMs;
}

/** Statements the driver sends for one pair (every `query` of a pooled client is one round trip). */
async function statementsPerPair(ledger: Ledger): Promise<number> {
  const query = pg.Client.prototype.query;
  let statements = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (query as (...given: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    for (let index = 0; index < 20; index++) await pairOf(ledger);
  } finally {
    pg.Client.prototype.query = query;
  }
  return statements / 20;
}

async function roundTripMs(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const times: number[] = [];
    for (let index = 0; index < 300; index++) {
      const started = performance.now();
      await client.query("SELECT 1");
      times.push(performance.now() - started);
    }
    return percentile(times.slice(50), 0.5);
  } finally {
    await client.end();
  }
}

async function measureRound(ledger: Ledger): Promise<LedgerRound> {
  const timed: { reserveMs: number; settleMs: number }[] = [];
  for (let index = 0; index < warmUp + pairs; index++) {
    const pair = await pairOf(ledger);
    if (index >= warmUp) timed.push(pair);
  }
  const pairMs = timed.map((pair) => pair.reserveMs + pair.settleMs);
  return {
    pairMedianMs: percentile(pairMs, 0.5),
    pairP95Ms: percentile(pairMs, 0.95),
    reserveMedianMs: percentile(timed.map((pair) => pair.reserveMs), 0.5),
    settleMedianMs: percentile(timed.map((pair) => pair.settleMs), 0.5),
    oneCallerPerSecond: await pairsPerSecond(ledger, 1),
    eightCallersPerSecond: await pairsPerSecond(ledger, 8),
  };
}

/** `roundCount` rounds, SQLite then PostgreSQL in each; `server.url` names a server where a fresh database is made. */
export async function measureLedgerStores(server: PostgresServer, roundCount: number, log: (line: string) => void): Promise<LedgerBench> {
  const previousUrl = process.env.ORCH_TEST_POSTGRES_URL;
  process.env.ORCH_TEST_POSTGRES_URL = server.url;
  const database = await createTestDatabase("orch_bench_ledger");
  if (previousUrl === undefined) delete process.env.ORCH_TEST_POSTGRES_URL;
  else process.env.ORCH_TEST_POSTGRES_URL = previousUrl;
  const sqlite = await openStore(path.join(temporaryDirectory("orch-bench-ledger-"), "orch.db"));
  const postgres = await openStore(database.url);
  try {
    const limits = [{ scope: "day" as const, limitNanoUsd: 1e15 }, { scope: "month" as const, limitNanoUsd: 1e15 }];
    const ledgers: [keyof LedgerBench, Ledger][] = [];
    for (const [name, store] of [["sqlite", sqlite], ["postgres", postgres]] as const) {
      await store.ledger.setTeamLimits("platform", [...limits, { project: "app", scope: "day", limitNanoUsd: 1e15 }], "bench", new Date().toISOString());
      ledgers.push([name, await teamLedger(store.ledger, `bench-${name}`)]);
    }
    const bench: LedgerBench = { sqlite: [], postgres: [] };
    for (let round = 0; round < roundCount; round++) {
      for (const [name, ledger] of ledgers) {
        log(`ledger round ${round + 1}/${roundCount}: ${name}…`);
        const measured = await measureRound(ledger);
        bench[name].push(name === "postgres" ? { ...measured, statementsPerPair: await statementsPerPair(ledger), roundTripMs: await roundTripMs(database.url) } : measured);
      }
    }
    return bench;
  } finally {
    await postgres.close();
    await sqlite.close();
    await database.drop();
  }
}
