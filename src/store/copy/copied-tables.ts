/**
 * What `orch db copy` carries from a SQLite store to a PostgreSQL one, table by table, parents
 * before children (foreign keys hold at every insert). The run log, cache and batches have the same
 * columns on both stores (PostgreSQL migrations 0003, 0004), so their rows go over column for
 * column; the ledger's tables differ (PostgreSQL's reservations name a host and a lease, and its
 * running totals keep real and synthetic money on one row), so those say how.
 */

export interface CopiedTable {
  table: string;
  /** Rows in the order they were recorded (`runs.seq` follows it, as SQLite's rowid did). */
  orderBy: string;
  /** Columns PostgreSQL needs that SQLite does not have, by name. */
  added?: readonly ("host_name" | "lease_id")[];
  /** PostgreSQL's serial column to move past the copied ids, so new rows do not collide with them. */
  serial?: string;
  /** Rows are regrouped rather than copied (see `totalsRowsOf`). */
  regrouped?: true;
}

export const copiedTables: readonly CopiedTable[] = [
  { table: "runs", orderBy: "rowid" },
  { table: "step_executions", orderBy: "id", serial: "id" },
  { table: "ledger_settings", orderBy: "name" },
  { table: "team_budget_limits", orderBy: "team, project, scope" },
  { table: "budget_reservations", orderBy: "id", serial: "id", added: ["host_name", "lease_id"] },
  { table: "budget_reservation_tags", orderBy: "reservation_id, tag" },
  { table: "budget_scope_totals", orderBy: "scope, period, subject_kind, subject_name, synthetic", regrouped: true },
  { table: "budget_overruns", orderBy: "id", serial: "id" },
  { table: "budget_alerts", orderBy: "id", serial: "id" },
  { table: "llm_calls", orderBy: "id", serial: "id" },
  { table: "llm_call_texts", orderBy: "call_id" },
  { table: "cached_answers", orderBy: "id", serial: "id" },
  { table: "cached_answer_uses", orderBy: "id", serial: "id" },
  { table: "batch_jobs", orderBy: "id", serial: "id" },
  { table: "batch_calls", orderBy: "batch_job_id, custom_id" },
];

/** One SQLite totals row: a (scope, period, subject) for real (0) or synthetic (1) money. */
export interface SqliteTotalsRow {
  scope: string;
  period: string;
  subject_kind: string;
  subject_name: string;
  synthetic: number;
  settled_nano_usd: number;
  reserved_nano_usd: number;
  expired_nano_usd: number;
  expired_count: number;
}

export const postgresTotalsColumns = [
  "scope", "period", "subject_kind", "subject_name", "settled_real", "reserved_real", "expired_real", "expired_count_real",
  "settled_synthetic", "reserved_synthetic", "expired_synthetic", "expired_count_synthetic",
] as const;

/** SQLite's two rows per (scope, period, subject) — real and synthetic — as PostgreSQL's one. */
export function totalsRowsOf(rows: readonly SqliteTotalsRow[]): unknown[][] {
  const merged = new Map<string, unknown[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.scope, row.period, row.subject_kind, row.subject_name]);
    const values = merged.get(key) ?? [row.scope, row.period, row.subject_kind, row.subject_name, 0, 0, 0, 0, 0, 0, 0, 0];
    const offset = row.synthetic === 1 ? 8 : 4;
    values[offset] = row.settled_nano_usd;
    values[offset + 1] = row.reserved_nano_usd;
    values[offset + 2] = row.expired_nano_usd;
    values[offset + 3] = row.expired_count;
    merged.set(key, values);
  }
  return [...merged.values()];
}
