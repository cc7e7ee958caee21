/** The store: the only door to persistence (SQLite and result folders). */
import { defaultDatabasePath, openDatabase, type SqliteDatabase } from "./database.js";
import { HistoryRepository } from "./history-repository.js";
import { LedgerRepository } from "./ledger-repository.js";
import { ReportQueries } from "./report-queries.js";
import { RunRepository } from "./run-repository.js";

export interface OrchStore {
  readonly file: string;
  readonly database: SqliteDatabase;
  readonly runs: RunRepository;
  readonly ledger: LedgerRepository;
  readonly history: HistoryRepository;
  /** Read-only queries for `orch report` and `orch graph --run`. */
  readonly reports: ReportQueries;
  close(): void;
}

export function openStore(file: string = defaultDatabasePath()): OrchStore {
  const database = openDatabase(file);
  return {
    file,
    database,
    runs: new RunRepository(database),
    ledger: new LedgerRepository(database),
    history: new HistoryRepository(database),
    reports: new ReportQueries(database),
    close: () => database.close(),
  };
}

export { defaultDatabasePath };
