/**
 * Ledger records built the same way by both stores (SQLite and PostgreSQL), so `orch budget`,
 * reports and events read the same figures whichever store wrote them.
 */
import type { AlertRecord, OverrunRecord, SettledCall } from "../contracts/ledger-store.js";

/** What a store knows of the reservation being settled. */
export interface SettledReservation {
  runId: string;
  pipelineName: string;
  day: string;
  month: string;
  synthetic: boolean;
  reservedNanoUsd: number;
}

/** The call an overrun names: empty names and attempt 0 when the settlement named none. */
export function overrunCallOf(call: SettledCall | undefined): SettledCall {
  return {
    step: call?.step ?? "",
    ...(call?.item === undefined ? {} : { item: call.item }),
    attempt: call?.attempt ?? 0,
    provider: call?.provider ?? "",
    model: call?.model ?? "",
  };
}

export function overrunRecordOf(
  reservationId: number,
  row: SettledReservation,
  settledNanoUsd: number,
  closedAt: string,
  call: SettledCall | undefined,
): OverrunRecord {
  return {
    reservationId,
    runId: row.runId,
    pipelineName: row.pipelineName,
    day: row.day,
    month: row.month,
    ...overrunCallOf(call),
    synthetic: row.synthetic,
    reservedNanoUsd: row.reservedNanoUsd,
    settledNanoUsd,
    overrunNanoUsd: settledNanoUsd - row.reservedNanoUsd,
    createdAt: closedAt,
  };
}

/** An alert's column values, in the order both stores insert them (`all`/"" when it has no subject). */
export function alertRowValues(alert: AlertRecord): [string, string, string, string, number, number, number, string, string] {
  return [
    alert.scope,
    alert.subject?.kind ?? "all",
    alert.subject?.name ?? "",
    alert.period,
    alert.fraction,
    alert.usedNanoUsd,
    alert.limitNanoUsd,
    alert.runId,
    alert.createdAt,
  ];
}

/**
 * An overrun's column values, in the order of `budget_overruns`' insert in both stores. `synthetic`
 * is 1 or 0: SQLite has no boolean, and PostgreSQL reads '1'/'0' as a boolean's text form.
 */
export function overrunRowValues(overrun: OverrunRecord): (string | number | null)[] {
  return [
    overrun.reservationId,
    overrun.runId,
    overrun.pipelineName,
    overrun.day,
    overrun.month,
    overrun.step,
    overrun.item ?? null,
    overrun.attempt,
    overrun.provider,
    overrun.model,
    overrun.synthetic ? 1 : 0,
    overrun.reservedNanoUsd,
    overrun.settledNanoUsd,
    overrun.overrunNanoUsd,
    overrun.createdAt,
  ];
}
