/**
 * Reconciliation: a process that crashed between reserve and settle leaves open reservations.
 * They already count at their worst case (never guess low); reconciling closes them as
 * `expired` — those past their time-to-live, and at once those whose process is gone — and says
 * which, so `orch budget` and the run can show the money held.
 *
 * A process can only ask its own machine whether a process id still runs, so by process id "gone"
 * is decided for reservations made on this host (`hostName`) only. A store may know more: on
 * PostgreSQL a process's session lease tells any machine that it is gone (`processGone`). Without
 * that, another machine's crashed runner is expired by its reservations' time-to-live.
 *
 * An expired reservation can still be settled or released by its process if it was only slow.
 */
import os from "node:os";
import type { LedgerStore } from "../contracts/ledger-store.js";
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
  /** This machine's name, as its reservations record it (default `os.hostname()`). */
  hostName?: string;
  /** Default: `process.kill(pid, 0)`, which asks the OS without sending anything. */
  isProcessAlive?: (processId: number) => boolean;
  /** Never treated as gone: the caller itself. */
  currentProcessId?: number;
}

export async function reconcileLedger(store: Pick<LedgerStore, "processesWithOpenReservations" | "expireReservations">, options: ReconcileOptions = {}): Promise<ReconcileReport> {
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

export function isProcessAlive(processId: number): boolean {
  try {
    process.kill(processId, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else. Only "no such process" means gone.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
