/**
 * `orch db copy`: a SQLite store's history — runs, steps, calls and their texts, the ledger, the
 * answer cache, batches — into an empty PostgreSQL store, so a team's shared store starts with
 * what one machine already knows (issue 14, "Moving").
 *
 * Safe to run again: everything is written in ONE PostgreSQL transaction, so a failure (or Ctrl-C)
 * leaves the target as it was; and only an empty target is filled, so a second copy of the same
 * file is refused instead of doubling the history. Ids are kept (calls name their steps and
 * reservations by id), which is also why two stores cannot be merged into one this way. The
 * target's tables are locked against writers for the copy; the source is read in one read
 * transaction, a consistent snapshot even while other processes write to it.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import { OrchError, exitCodes } from "../../errors/orch-error.js";
import { openDatabase, type SqliteDatabase } from "../database.js";
import { describePostgresUrl, inTransaction, openPostgresPool, postgresUnreachable, type PostgresClient } from "../postgres/connection.js";
import { migratePostgres } from "../postgres/migrate.js";
import { copiedTables, postgresTotalsColumns, totalsRowsOf, type CopiedTable, type SqliteTotalsRow } from "./copied-tables.js";

export interface CopyProgress {
  table: string;
  rows: number;
}

export interface CopyOutcome {
  tables: CopyProgress[];
  rows: number;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table (34 columns). */
const rowsPerInsert = 500;

export async function copySqliteToPostgres(
  sqliteFile: string,
  postgresUrl: string,
  onTable: (progress: CopyProgress) => void = () => {},
): Promise<CopyOutcome> {
  if (!existsSync(sqliteFile)) {
    throw new OrchError({ message: `no SQLite store at ${sqliteFile}`, exitCode: exitCodes.invalidConfigOrUsage, hint: "name the file with --from sqlite:FILE" });
  }
  const source = openDatabase(sqliteFile);
  const pool = openPostgresPool({ url: postgresUrl, maxConnections: 1 });
  try {
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      throw postgresUnreachable(postgresUrl, error);
    }
    await migratePostgres(pool);
    source.exec("BEGIN");
    try {
      return await inTransaction(pool, async (client) => {
        await client.query(`LOCK TABLE ${copiedTables.map((plan) => plan.table).join(", ")} IN EXCLUSIVE MODE`);
        await refuseUnlessEmpty(client, postgresUrl);
        const leaseId = await copyLease(client);
        const tables: CopyProgress[] = [];
        for (const plan of copiedTables) {
          const rows = await copyTable(source, client, plan, leaseId);
          tables.push({ table: plan.table, rows });
          onTable({ table: plan.table, rows });
        }
        return { tables, rows: tables.reduce((sum, table) => sum + table.rows, 0) };
      });
    } finally {
      source.exec("COMMIT");
    }
  } finally {
    source.close();
    await pool.end();
  }
}

async function refuseUnlessEmpty(client: PostgresClient, url: string): Promise<void> {
  const counts = await client.query<{ table: string; rows: number }>(
    copiedTables.map((plan) => `SELECT '${plan.table}' AS table, (SELECT COUNT(*) FROM ${plan.table}) AS rows`).join(" UNION ALL "),
  );
  const filled = counts.rows.filter((row) => row.rows > 0);
  if (filled.length === 0) return;
  throw new OrchError({
    message: `the PostgreSQL store at ${describePostgresUrl(url)} is not empty (${filled.map((row) => `${row.table}: ${row.rows}`).join(", ")}); nothing was copied`,
    exitCode: exitCodes.invalidConfigOrUsage,
    hint: "orch db copy fills an empty store only: copying into one that has rows would clash with their ids or count the same history twice. Copy into a new database (createdb), or, if this store came from the same file, there is nothing left to do",
  });
}

/**
 * The copied reservations' process: one lease row that no session holds, so reservations still
 * open in the file (their process works on the SQLite store, never on this one) are expired at the
 * next reconciliation, and count at their worst case until then.
 */
async function copyLease(client: PostgresClient): Promise<number> {
  const result = await client.query<{ id: number }>(
    `INSERT INTO ledger_processes (host_name, process_id, started_at) VALUES ($1, $2, now()) RETURNING id`,
    [os.hostname(), process.pid],
  );
  return result.rows[0]!.id;
}

async function copyTable(source: SqliteDatabase, client: PostgresClient, plan: CopiedTable, leaseId: number): Promise<number> {
  try {
    const statement = source.prepare(`SELECT * FROM ${plan.table} ORDER BY ${plan.orderBy}`);
    if (plan.regrouped) {
      const rows = totalsRowsOf(statement.all() as SqliteTotalsRow[]);
      for (let start = 0; start < rows.length; start += rowsPerInsert) await insertRows(client, plan.table, postgresTotalsColumns, rows.slice(start, start + rowsPerInsert));
      return rows.length;
    }
    const columns = [...statement.columns().map((column) => column.name), ...(plan.added ?? [])];
    const added = (plan.added ?? []).map((name) => (name === "lease_id" ? leaseId : os.hostname()));
    let batch: unknown[][] = [];
    let copied = 0;
    // Column order: a row object's keys follow the SELECT's columns (none of them looks like an array index).
    for (const row of statement.iterate() as Iterable<Record<string, unknown>>) {
      batch.push([...Object.values(row), ...added]);
      if (batch.length === rowsPerInsert) {
        await insertRows(client, plan.table, columns, batch);
        copied += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await insertRows(client, plan.table, columns, batch);
    copied += batch.length;
    if (plan.serial && copied > 0) {
      await client.query(`SELECT setval(pg_get_serial_sequence('${plan.table}', '${plan.serial}'), (SELECT MAX(${plan.serial}) FROM ${plan.table}))`);
    }
    return copied;
  } catch (error) {
    if (OrchError.isInstance(error)) throw error;
    throw new OrchError({
      message: `copying table ${plan.table} failed: ${(error as Error).message}; nothing was copied`,
      exitCode: exitCodes.invalidConfigOrUsage,
      hint: "the PostgreSQL store is as it was; fix the row the message names in the SQLite file, or report it if the file was written by orch",
      cause: error,
    });
  }
}

async function insertRows(client: PostgresClient, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const placeholders = rows.map((_, rowIndex) => `(${columns.map((_, columnIndex) => `$${rowIndex * columns.length + columnIndex + 1}`).join(", ")})`);
  await client.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${placeholders.join(", ")}`, rows.flat());
}
