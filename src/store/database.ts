import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { OrchError, exitCodes } from "../errors/orch-error.js";
import { migrations, type Migration } from "./migrations.js";

export type SqliteDatabase = Database.Database;

/** `$ORCH_HOME/orch.db`, default `~/.orch/orch.db`: one per user, so spend counts across projects. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.ORCH_HOME && env.ORCH_HOME.trim() !== "" ? env.ORCH_HOME : path.join(os.homedir(), ".orch");
  return path.join(home, "orch.db");
}

/**
 * Opens (creating if needed) and migrates the database. WAL lets readers (reports) run beside a
 * writer; the busy timeout makes concurrent `orch` processes wait for each other instead of failing.
 */
export function openDatabase(file: string, options: { migrations?: readonly Migration[] } = {}): SqliteDatabase {
  let database: SqliteDatabase;
  try {
    if (file !== ":memory:") makeDirectory(path.dirname(file));
    database = new Database(file);
  } catch (error) {
    throw new OrchError({
      message: `cannot open the orch database at ${file}: ${(error as Error).message}`,
      exitCode: exitCodes.invalidConfigOrUsage,
      hint: "set ORCH_HOME or pass --db to a writable location",
      cause: error,
    });
  }
  database.pragma("busy_timeout = 10000");
  if (file !== ":memory:") database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  migrate(database, options.migrations ?? migrations);
  cachePreparedStatements(database);
  return database;
}

/**
 * Repositories prepare their SQL where they use it, which reads well but would parse the same
 * statement again on every call (a measurable share of orch's per-step overhead). Statements are
 * reusable, so `prepare` answers the same SQL with the same statement. Repositories only call
 * get/all/run, never modes that change a statement (pluck, raw, iterate).
 */
function cachePreparedStatements(database: SqliteDatabase): void {
  const prepare = database.prepare.bind(database);
  const statements = new Map<string, ReturnType<typeof prepare>>();
  database.prepare = ((sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }) as typeof database.prepare;
}

/**
 * `mkdirSync(…, { recursive: true })` never returns on Node 20 when the parent is a virtual file
 * system that refuses the folder (for example `--db /proc/x/orch.db`), so missing folders are
 * made one level at a time and the first refusal is an error.
 */
function makeDirectory(directory: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(directory); !existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing) mkdirSync(folder);
}

export function migrate(database: SqliteDatabase, list: readonly Migration[]): string[] {
  database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (database.prepare(`SELECT name FROM schema_migrations`).all() as { name: string }[]).map((row) => row.name),
  );
  const newlyApplied: string[] = [];
  for (const migration of list) {
    if (applied.has(migration.name)) continue;
    // IMMEDIATE: two processes starting at once must not both apply the same migration.
    database
      .transaction(() => {
        const already = database.prepare(`SELECT 1 FROM schema_migrations WHERE name = ?`).get(migration.name);
        if (already) return;
        database.exec(migration.sql);
        database.prepare(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`).run(migration.name, new Date().toISOString());
        newlyApplied.push(migration.name);
      })
      .immediate();
  }
  return newlyApplied;
}
