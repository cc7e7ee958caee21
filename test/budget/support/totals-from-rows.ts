/**
 * What the running totals must hold, summed straight from the reservation rows (the way budget
 * checks summed them before issue 11): every scope a reservation counts in, split by state.
 * Rows are keyed `scope|period|kind|name|synthetic`; all-zero rows are left out on both sides.
 */
import type { SqliteDatabase } from "../../../src/store/database.js";

interface TotalsRow {
  key: string;
  settled: number;
  reserved: number;
  expired: number;
  expiredCount: number;
}

const states = `SUM(CASE WHEN r.status = 'settled' THEN r.settled_nano_usd ELSE 0 END) AS settled,
  SUM(CASE WHEN r.status = 'reserved' THEN r.reserved_nano_usd ELSE 0 END) AS reserved,
  SUM(CASE WHEN r.status = 'expired' THEN r.reserved_nano_usd ELSE 0 END) AS expired,
  SUM(CASE WHEN r.status = 'expired' THEN 1 ELSE 0 END) AS expiredCount`;

export function totalsFromRows(database: SqliteDatabase): Map<string, Omit<TotalsRow, "key">> {
  const rows: TotalsRow[] = [];
  for (const [scope, column] of [["run", "r.run_id"], ["day", "r.day"], ["month", "r.month"]] as const) {
    const queries = [
      `SELECT '${scope}|' || ${column} || '|all||' || r.synthetic AS key, ${states} FROM budget_reservations r GROUP BY key`,
      `SELECT '${scope}|' || ${column} || '|pipeline|' || r.pipeline_name || '|' || r.synthetic AS key, ${states} FROM budget_reservations r GROUP BY key`,
      `SELECT '${scope}|' || ${column} || '|tag|' || t.tag || '|' || r.synthetic AS key, ${states}
       FROM budget_reservations r JOIN budget_reservation_tags t ON t.reservation_id = r.id GROUP BY key`,
    ];
    for (const sql of queries) rows.push(...(database.prepare(sql).all() as TotalsRow[]));
  }
  return keyed(rows);
}

export function storedTotals(database: SqliteDatabase): Map<string, Omit<TotalsRow, "key">> {
  const rows = database
    .prepare(
      `SELECT scope || '|' || period || '|' || subject_kind || '|' || subject_name || '|' || synthetic AS key, settled_nano_usd AS settled,
         reserved_nano_usd AS reserved, expired_nano_usd AS expired, expired_count AS expiredCount FROM budget_scope_totals`,
    )
    .all() as TotalsRow[];
  return keyed(rows);
}

function keyed(rows: readonly TotalsRow[]): Map<string, Omit<TotalsRow, "key">> {
  const result = new Map<string, Omit<TotalsRow, "key">>();
  for (const { key, ...totals } of rows) {
    if (totals.settled === 0 && totals.reserved === 0 && totals.expired === 0 && totals.expiredCount === 0) continue;
    result.set(key, totals);
  }
  return new Map([...result].sort(([a], [b]) => a.localeCompare(b)));
}
