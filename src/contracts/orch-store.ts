/**
 * The store contract: the only door to persistence. Implemented twice — SQLite through
 * better-sqlite3 (one machine's file, the default) and PostgreSQL (a team's shared server) — and
 * everything above the store (executor, ledger, cache, history, reports, watch, serve) is written
 * against this contract alone. Every promise settles after its change is committed. Types only.
 */
import type { AnswerCacheStore } from "./answer-cache-store.js";
import type { BatchStore } from "./batch-store.js";
import type { CallLogStore } from "./call-log-store.js";
import type { ExecutionStore } from "./execution-store.js";
import type { HistoryStore } from "./history-store.js";
import type { InFlightStore } from "./in-flight-store.js";
import type { LedgerStore } from "./ledger-store.js";
import type { ReportStore } from "./report-store.js";
import type { RunStore } from "./run-store.js";

export type StoreKind = "sqlite" | "postgres";

export interface OrchStore {
  readonly kind: StoreKind;
  /** Where the store is, for messages: a file path, or a PostgreSQL URL without its password. */
  readonly location: string;
  readonly runs: RunStore;
  readonly ledger: LedgerStore;
  readonly history: HistoryStore;
  /** Read-only queries for `orch report`, `orch graph --run` and the dashboard. */
  readonly reports: ReportStore;
  /** Answers by content address: the cache, and what makes a resumed run pay nothing twice. */
  readonly cache: AnswerCacheStore;
  /** Resuming runs, attempt numbers, verdicts. */
  readonly executions: ExecutionStore;
  /** What every call sent and received, and the queries of `orch runs`, `show` and `diff`. */
  readonly callLog: CallLogStore;
  /** Batches sent to vendors' batch APIs and their calls, for collecting after a restart. */
  readonly batches: BatchStore;
  /** Single flight across processes: a call in flight in one process is waited for, not paid again, by another. */
  readonly inFlight: InFlightStore;
  /** Waits for pending writes and closes connections (a PostgreSQL store also frees its process lease). */
  close(): Promise<void>;
}
