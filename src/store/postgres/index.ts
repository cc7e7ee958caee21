/**
 * The PostgreSQL store: a team's shared ledger (and, later, cache and history) for processes on
 * any number of machines. `openPostgresStore` connects, applies the migrations under their
 * advisory lock, and hands out the contract implementations.
 */
import type { LedgerStore } from "../../contracts/ledger-store.js";
import { openPostgresPool, postgresUnreachable, type PostgresOptions, type PostgresPool } from "./connection.js";
import { PostgresLedgerStore } from "./ledger-store.js";
import { migratePostgres } from "./migrate.js";
import { processLease } from "./process-lease.js";

export interface PostgresStore {
  readonly pool: PostgresPool;
  readonly ledger: LedgerStore;
  close(): Promise<void>;
}

export async function openPostgresStore(options: PostgresOptions): Promise<PostgresStore> {
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
  const lease = processLease(options.url);
  return {
    pool,
    ledger: new PostgresLedgerStore(pool, lease),
    async close() {
      await lease.close();
      await pool.end();
    },
  };
}

export { migratePostgres } from "./migrate.js";
export { openPostgresPool } from "./connection.js";
export type { PostgresOptions, PostgresPool } from "./connection.js";
