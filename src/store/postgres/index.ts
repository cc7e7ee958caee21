/**
 * The PostgreSQL store: a team's shared ledger, run log, answer cache and history for processes on
 * any number of machines. `openPostgresOrchStore` connects, applies the migrations under their
 * advisory lock, and hands out the contract implementations (`OrchStore`); `openPostgresStore`
 * is the ledger alone (the multi-runner test and the ledger benchmark).
 */
import type { LedgerStore } from "../../contracts/ledger-store.js";
import type { OrchStore } from "../../contracts/orch-store.js";
import { PostgresAnswerCacheStore } from "./answer-cache-store.js";
import { PostgresBatchStore } from "./batch-store.js";
import { PostgresCallLogStore } from "./call-log-store.js";
import { describePostgresUrl, openPostgresPool, postgresUnreachable, type PostgresOptions, type PostgresPool } from "./connection.js";
import { PostgresExecutionStore } from "./execution-store.js";
import { PostgresHistoryStore } from "./history-store.js";
import { PostgresInFlightStore } from "./in-flight-store.js";
import { PostgresLedgerStore } from "./ledger-store.js";
import { migratePostgres } from "./migrate.js";
import { processLease, type ProcessLease } from "./process-lease.js";
import { ReservationKeys } from "./reservation-keys.js";
import { PostgresReportStore } from "./report-store.js";
import { PostgresRunStore } from "./run-store.js";

export interface PostgresStore {
  readonly pool: PostgresPool;
  readonly ledger: LedgerStore;
  close(): Promise<void>;
}

/** The whole store on PostgreSQL, with its pool for tests and tools that read rows directly. */
export interface PostgresOrchStore extends OrchStore {
  readonly kind: "postgres";
  readonly pool: PostgresPool;
}

/** Connects and migrates; the pool is ended again when either fails. */
async function connectAndMigrate(options: PostgresOptions): Promise<PostgresPool> {
  const pool = openPostgresPool(options);
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw postgresUnreachable(options.url, error);
  }
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return pool;
}

export async function openPostgresStore(options: PostgresOptions): Promise<PostgresStore> {
  const pool = await connectAndMigrate(options);
  const lease = processLease(options.url);
  return {
    pool,
    ledger: new PostgresLedgerStore(pool, lease, new ReservationKeys()),
    close: () => closeAll(pool, lease),
  };
}

export async function openPostgresOrchStore(url: string, options: Omit<PostgresOptions, "url"> = {}): Promise<PostgresOrchStore> {
  const pool = await connectAndMigrate({ ...options, url });
  const lease = processLease(url);
  const inFlight = new PostgresInFlightStore(pool, url);
  // One memory of reservations' keys for the ledger and the run log: a call reserved through one
  // is settled through the other (`recordPaidCall`).
  const reservationKeys = new ReservationKeys();
  return {
    kind: "postgres",
    location: describePostgresUrl(url),
    pool,
    runs: new PostgresRunStore(pool, reservationKeys),
    ledger: new PostgresLedgerStore(pool, lease, reservationKeys),
    history: new PostgresHistoryStore(pool),
    reports: new PostgresReportStore(pool),
    cache: new PostgresAnswerCacheStore(pool),
    executions: new PostgresExecutionStore(pool),
    callLog: new PostgresCallLogStore(pool),
    batches: new PostgresBatchStore(pool),
    inFlight,
    async close() {
      await inFlight.close();
      await closeAll(pool, lease);
    },
  };
}

async function closeAll(pool: PostgresPool, lease: ProcessLease): Promise<void> {
  await lease.close();
  await pool.end();
}

export { migratePostgres } from "./migrate.js";
export { describePostgresUrl, openPostgresPool } from "./connection.js";
export type { PostgresOptions, PostgresPool } from "./connection.js";
