/**
 * Reconciliation over the asynchronous `LedgerStore` contract, for a ledger shared by processes on
 * several machines. Like `reconcileLedger` (the SQLite ledger's, synchronous), it closes as
 * `expired` the open reservations past their time-to-live and, at once, those whose process is
 * gone; they keep counting at their worst case (never guess low).
 *
 * A process can only ask its own machine whether a process id still runs, so by process id "gone"
 * is decided for reservations made on this host (`hostName`) only. A store may know more: on
 * PostgreSQL a process's session lease tells any machine that it is gone (`processGone`). Without
 * that, another machine's crashed runner is expired by its reservations' time-to-live.
 *
 * This replaces `reconcileLedger` once the ledger itself runs on the contract.
 */
import os from "node:os";
import type { LedgerStore } from "../contracts/ledger-store.js";
import { nanoToUsd } from "./money.js";
import { isProcessAlive, type ExpiredReservation, type ReconcileReport } from "./reconcile.js";

export interface StoreReconcileOptions {
  now?: Date;
  /** This machine's name, as its reservations record it (default `os.hostname()`). */
  hostName?: string;
  /** Default: `process.kill(pid, 0)`, which asks the OS without sending anything. */
  isProcessAlive?: (processId: number) => boolean;
  /** Never treated as gone: the caller itself. */
  currentProcessId?: number;
}

export async function reconcileLedgerStore(store: LedgerStore, options: StoreReconcileOptions = {}): Promise<ReconcileReport> {
  const now = options.now ?? new Date();
  const hostName = options.hostName ?? os.hostname();
  const isAlive = options.isProcessAlive ?? isProcessAlive;
  const current = options.currentProcessId ?? process.pid;
  const vanished = (await store.processesWithOpenReservations(hostName)).filter((ref) => ref.processId !== current && !isAlive(ref.processId));
  const gone = new Set(vanished.map((ref) => ref.processId));
  const rows = await store.expireReservations(now.toISOString(), vanished);
  const expired = rows.map(
    (row): ExpiredReservation => ({
      id: row.id,
      runId: row.runId,
      pipelineName: row.pipelineName,
      processId: row.processId,
      amountUsd: nanoToUsd(row.reservedNanoUsd),
      createdAt: row.createdAt,
      reason: row.processGone === true || (row.hostName === hostName && gone.has(row.processId)) ? "process-gone" : "overdue",
    }),
  );
  return { expired, heldUsd: nanoToUsd(rows.reduce((sum, row) => sum + row.reservedNanoUsd, 0)) };
}
