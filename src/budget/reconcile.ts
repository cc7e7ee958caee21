/**
 * Reconciliation: a process that crashed between reserve and settle leaves open reservations.
 * They already count at their worst case (never guess low); reconciling closes them as
 * `expired` — those past their time-to-live, and at once those whose process is gone from this
 * machine — and says which, so `orch budget` and the run can show the money held.
 *
 * An expired reservation can still be settled or released by its process if it was only slow.
 */
import type { LedgerRepository } from "../store/ledger-repository.js";
import { nanoToUsd } from "./money.js";

export interface ExpiredReservation {
  id: number;
  runId: string;
  pipelineName: string;
  processId: number;
  /** The worst case it keeps counting at. */
  amountUsd: number;
  createdAt: string;
  /** `process-gone`: its process no longer runs; `overdue`: older than its time-to-live. */
  reason: "process-gone" | "overdue";
}

export interface ReconcileReport {
  expired: ExpiredReservation[];
  /** The sum of their worst cases. */
  heldUsd: number;
}

export interface ReconcileOptions {
  now?: Date;
  /** Default: `process.kill(pid, 0)`, which asks the OS without sending anything. */
  isProcessAlive?: (processId: number) => boolean;
  /** Never treated as gone: the caller itself. */
  currentProcessId?: number;
}

export function reconcileLedger(repository: LedgerRepository, options: ReconcileOptions = {}): ReconcileReport {
  const now = options.now ?? new Date();
  const isAlive = options.isProcessAlive ?? isProcessAlive;
  const current = options.currentProcessId ?? process.pid;
  const vanished = repository.processesWithOpenReservations().filter((processId) => processId !== current && !isAlive(processId));
  const gone = new Set(vanished);
  const rows = repository.expireReservations(now.toISOString(), vanished);
  const expired = rows.map(
    (row): ExpiredReservation => ({
      id: row.id,
      runId: row.runId,
      pipelineName: row.pipelineName,
      processId: row.processId,
      amountUsd: nanoToUsd(row.reservedNanoUsd),
      createdAt: row.createdAt,
      reason: gone.has(row.processId) ? "process-gone" : "overdue",
    }),
  );
  return { expired, heldUsd: nanoToUsd(rows.reduce((sum, row) => sum + row.reservedNanoUsd, 0)) };
}

export function isProcessAlive(processId: number): boolean {
  try {
    process.kill(processId, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else. Only "no such process" means gone.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
