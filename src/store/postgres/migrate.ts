/**
 * Applies PostgreSQL migrations. Two processes may start at once (two CI runners, two developers):
 * a session-level advisory lock makes the second wait until the first has applied everything, then
 * find nothing left to do. Without it both would race on `CREATE TABLE` and one would fail. The
 * lock is held on one dedicated connection and released on every path, also when a migration fails.
 */
import type { Migration } from "../migrations.js";
import type { PostgresPool } from "./connection.js";
import { postgresMigrations } from "./migrations.js";

/** pg_advisory_lock's key for orch's migrations: any fixed 64-bit number no other program uses ("orch-mig"). */
export const migrationLockKey = "7310315412459629927";

/** Returns the names it applied, in order (empty when the store was up to date). */
export async function migratePostgres(pool: PostgresPool, list: readonly Migration[] = postgresMigrations): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1::bigint)", [migrationLockKey]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`);
      const applied = new Set((await client.query<{ name: string }>(`SELECT name FROM schema_migrations`)).rows.map((row) => row.name));
      const newlyApplied: string[] = [];
      for (const migration of list) {
        if (applied.has(migration.name)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO schema_migrations (name, applied_at) VALUES ($1, now())`, [migration.name]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new Error(`PostgreSQL migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
        }
        newlyApplied.push(migration.name);
      }
      return newlyApplied;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [migrationLockKey]);
    }
  } finally {
    client.release();
  }
}
