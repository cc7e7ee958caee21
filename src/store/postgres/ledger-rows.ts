/** Overrun and alert rows of the PostgreSQL ledger as the contract's records (instants as ISO strings). */
import type { AlertRecord, OverrunRecord, ScopeSubject } from "../../contracts/ledger-store.js";

export const overrunColumns = `reservation_id AS "reservationId", run_id AS "runId", pipeline_name AS "pipelineName", day, month, step,
  item_index AS item, attempt, provider, model, synthetic, reserved_nano_usd AS "reservedNanoUsd", settled_nano_usd AS "settledNanoUsd",
  overrun_nano_usd AS "overrunNanoUsd", created_at AS "createdAt"`;

type OverrunRow = Omit<OverrunRecord, "item" | "createdAt"> & { item: number | null; createdAt: Date };

export function overrunOf({ item, createdAt, ...row }: OverrunRow): OverrunRecord {
  return { ...row, ...(item === null ? {} : { item }), createdAt: createdAt.toISOString() };
}

export const alertsInPeriodsSql = `
  SELECT scope, subject_kind AS "subjectKind", subject_name AS "subjectName", period, fraction, used_nano_usd AS "usedNanoUsd",
    limit_nano_usd AS "limitNanoUsd", run_id AS "runId", created_at AS "createdAt"
  FROM budget_alerts
  WHERE (scope = 'run' AND period = $1) OR (scope = 'day' AND period = $2) OR (scope = 'month' AND period = $3)
  ORDER BY created_at, id`;

type AlertRow = Omit<AlertRecord, "subject" | "createdAt"> & { subjectKind: "all" | ScopeSubject["kind"]; subjectName: string; createdAt: Date };

export function alertOf({ subjectKind, subjectName, createdAt, ...alert }: AlertRow): AlertRecord {
  return {
    ...alert,
    ...(subjectKind === "all" ? {} : { subject: { kind: subjectKind, name: subjectName } }),
    createdAt: createdAt.toISOString(),
  };
}
