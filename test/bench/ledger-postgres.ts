/**
 * The shared ledger's cost per call: reserve and settle on PostgreSQL (loopback) against SQLite
 * (a file in WAL mode), in one run, through the same `LedgerStore` contract.
 *   1. latency: one caller, reserve then settle, each call timed (median and p95);
 *   2. throughput: 8 callers at once on one team day budget (the contended row), reserve + settle pairs per second.
 * Goal (issue 14): the PostgreSQL ledger adds under 2 ms median per call.
 *
 * Run: npm run bench:ledger. Uses ORCH_TEST_POSTGRES_URL when set, else starts a throwaway server
 * with scripts/postgres-test-server.sh and deletes it afterwards.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { LedgerStore, ReservationRequest } from "../../src/contracts/ledger-store.js";
import { openStore } from "../../src/store/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { repositoryRoot, temporaryDirectory } from "../support/cli.js";
import { createTestDatabase } from "../support/postgres.js";

const calls = 2000;
const warmUp = 200;
const callers = 8;
const throughputMs = 2000;
const goalMs = 2;

function request(runId: string): ReservationRequest {
  return {
    runId,
    day: "2026-03-10",
    month: "2026-03",
    pipelineName: "bench",
    tags: ["drafts"],
    amountNanoUsd: 1_000,
    limits: [
      { scope: "run", limitNanoUsd: 1e15 },
      { scope: "day", limitNanoUsd: 1e15 },
      { scope: "month", limitNanoUsd: 1e15 },
      { scope: "day", subject: { kind: "tag", name: "drafts" }, limitNanoUsd: 1e15 },
    ],
    processId: process.pid,
    hostName: "bench",
    createdAt: "2026-03-10T12:00:00.000Z",
    expiresAt: "2026-03-10T12:30:00.000Z",
  };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

async function latency(ledger: LedgerStore): Promise<{ reserve: number[]; settle: number[] }> {
  const reserve: number[] = [];
  const settle: number[] = [];
  for (let index = 0; index < warmUp + calls; index++) {
    const started = performance.now();
    const outcome = await ledger.reserve(request("latency"));
    const reserved = performance.now();
    if (!outcome.ok) throw new Error("the bench's limits are meant never to refuse");
    await ledger.settle(outcome.reservationId, 600, "2026-03-10T12:00:01.000Z");
    if (index < warmUp) continue;
    reserve.push(reserved - started);
    settle.push(performance.now() - reserved);
  }
  return { reserve, settle };
}

async function throughput(ledger: LedgerStore): Promise<number> {
  let pairs = 0;
  const deadline = performance.now() + throughputMs;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (performance.now() < deadline) {
        const outcome = await ledger.reserve(request(`caller-${caller}`));
        if (outcome.ok) await ledger.settle(outcome.reservationId, 600, "2026-03-10T12:00:01.000Z");
        pairs++;
      }
    }),
  );
  return (pairs * 1000) / throughputMs;
}

function serverUrl(): { url: string; stop: () => void } {
  const given = process.env.ORCH_TEST_POSTGRES_URL?.trim();
  if (given) return { url: given, stop: () => {} };
  const script = path.join(repositoryRoot, "scripts/postgres-test-server.sh");
  const folder = execFileSync(script, ["start"], { encoding: "utf8" }).trim();
  const url = execFileSync(script, ["url", folder], { encoding: "utf8" }).trim();
  return { url, stop: () => execFileSync(script, ["stop", folder]) };
}

const format = (milliseconds: number) => `${milliseconds.toFixed(3)} ms`;
const server = serverUrl();
process.env.ORCH_TEST_POSTGRES_URL = server.url;
try {
  const sqliteStore = await openStore(path.join(temporaryDirectory("orch-bench-ledger-"), "orch.db"));
  const database = await createTestDatabase("orch_bench");
  const postgres = await openPostgresStore({ url: database.url, maxConnections: callers });
  const rows: string[][] = [];
  const medians: Record<string, number> = {};
  for (const [name, ledger] of [
    ["SQLite", sqliteStore.ledger],
    ["PostgreSQL", postgres.ledger],
  ] as const) {
    const timed = await latency(ledger);
    const perSecond = await throughput(ledger);
    medians[name] = Math.max(percentile(timed.reserve, 0.5), percentile(timed.settle, 0.5));
    rows.push([
      name,
      format(percentile(timed.reserve, 0.5)),
      format(percentile(timed.reserve, 0.95)),
      format(percentile(timed.settle, 0.5)),
      format(percentile(timed.settle, 0.95)),
      `${Math.round(perSecond)} pairs/s`,
    ]);
  }
  await postgres.close();
  await database.drop();
  await sqliteStore.close();

  const header = ["store", "reserve median", "reserve p95", "settle median", "settle p95", `${callers} callers, one day budget`];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join("  "));
  const worst = medians.PostgreSQL!;
  console.log(
    `\nPostgreSQL median per call ${format(worst)} (goal < ${goalMs} ms on loopback): ${worst < goalMs ? "within the goal" : "OVER THE GOAL"}; ` +
      `SQLite ${format(medians.SQLite!)}. ${calls} timed calls each after ${warmUp} warm-up calls.`,
  );
  if (worst >= goalMs) process.exitCode = 1;
} finally {
  server.stop();
}
