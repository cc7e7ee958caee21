/** The store: the only door to persistence (SQLite and result folders). */
import { BatchRepository } from "./batch-repository.js";
import { CacheRepository } from "./cache-repository.js";
import { CallLogRepository } from "./call-log-repository.js";
import { defaultDatabasePath, openDatabase, type SqliteDatabase } from "./database.js";
import { ExecutionRepository } from "./execution-repository.js";
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
  /** Answers by content address: the cache, and what makes a resumed run pay nothing twice. */
  readonly cache: CacheRepository;
  /** Resuming runs, attempt numbers, rejection reasons. */
  readonly executions: ExecutionRepository;
  /** What every call sent and received, and the queries of `orch runs`, `show` and `diff`. */
  readonly callLog: CallLogRepository;
  /** Batches sent to vendors' batch APIs and their calls, for collecting after a restart. */
  readonly batches: BatchRepository;
  /** Runs `work` in one IMMEDIATE transaction: all of it is written, or none of it. */
  transaction<T>(work: () => T): T;
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
    cache: new CacheRepository(database),
    executions: new ExecutionRepository(database),
    callLog: new CallLogRepository(database),
    batches: new BatchRepository(database),
    transaction: (work) => database.transaction(work).immediate(),
    close: () => database.close(),
  };
}

export { defaultDatabasePath };
