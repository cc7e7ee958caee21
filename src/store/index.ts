/** The store: the only door to persistence (SQLite and result folders). */
import { defaultDatabasePath, openDatabase, type SqliteDatabase } from "./database.js";
import { LedgerRepository } from "./ledger-repository.js";
import { RunRepository } from "./run-repository.js";

export interface OrchStore {
  readonly file: string;
  readonly database: SqliteDatabase;
  readonly runs: RunRepository;
  readonly ledger: LedgerRepository;
  close(): void;
}

export function openStore(file: string = defaultDatabasePath()): OrchStore {
  const database = openDatabase(file);
  return {
    file,
    database,
    runs: new RunRepository(database),
    ledger: new LedgerRepository(database),
    close: () => database.close(),
  };
}

export { defaultDatabasePath };
