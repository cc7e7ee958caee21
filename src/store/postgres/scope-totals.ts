/**
 * Running totals per (scope, period, subject): the rows a PostgreSQL reservation locks.
 *
 * Why row locks on a totals row (and not serializable transactions or advisory locks):
 * - `INSERT … ON CONFLICT DO UPDATE` creates the row on first use and locks it in one statement,
 *   always on its newest committed version, so two processes on two machines checking the same
 *   day budget are serialized by that row alone: the second sees the first's reservation. Work
 *   on other budgets (another day, another team) is not blocked.
 * - Serializable transactions would be correct too, but a busy budget makes them fail and retry
 *   (latency that grows with contention); advisory locks would work but live outside the data,
 *   so a forgotten lock or a reader that skips them breaks the guarantee silently.
 * - The check reads one row per limit instead of summing reservations, so its cost does not grow
 *   with a month's history.
 *
 * Deadlocks: every transaction that touches totals rows locks them through one upsert whose rows
 * are sorted by `compareKeys`, so two transactions never wait for each other's rows in opposite
 * orders. A transaction that also closes a reservation locks that reservation's row first, and
 * nothing locks a reservation row after a totals row, so no cycle can form across the two tables.
 */
import type { LedgerScope, ScopeKeys, ScopeSubject, ScopeUsage } from "../../contracts/ledger-store.js";
import { countedSubjects, periodOf, type CountedPlace, type MoneyKind } from "../ledger-scopes.js";
import type { PostgresClient, PostgresPool } from "./connection.js";
import { execute, namedStatement } from "./sql.js";

export interface TotalsKey {
  scope: LedgerScope;
  period: string;
  subjectKind: "all" | ScopeSubject["kind"];
  subjectName: string;
}

/** Changes to one totals row, in nano-USD (negative to move money out of a state). */
export interface TotalsDelta extends TotalsKey {
  synthetic: boolean;
  settled: number;
  reserved: number;
  expired: number;
  expiredCount: number;
}

export interface TotalsRow extends TotalsKey {
  real: ScopeUsage;
  synthetic: ScopeUsage;
}

/** Where a reservation counts: each scope for everything, its pipeline and each of its tags; the day and month of its team and project. */
export interface CountedIn extends ScopeKeys, CountedPlace {}

export function keyOf(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject): TotalsKey {
  return { scope, period: periodOf(scope, keys), subjectKind: subject?.kind ?? "all", subjectName: subject?.name ?? "" };
}

export function totalsKeysOf(counted: CountedIn): TotalsKey[] {
  return countedSubjects(counted).map(({ scope, subject }) => keyOf(scope, counted, subject));
}

export function sameKey(a: TotalsKey, b: TotalsKey): boolean {
  return a.scope === b.scope && a.period === b.period && a.subjectKind === b.subjectKind && a.subjectName === b.subjectName;
}

/** The one lock order: by scope, period, subject kind, subject name (UTF-16 code units, the same in every process). */
export function compareKeys(a: TotalsKey, b: TotalsKey): number {
  for (const field of ["scope", "period", "subjectKind", "subjectName"] as const) {
    if (a[field] !== b[field]) return a[field] < b[field] ? -1 : 1;
  }
  return 0;
}

const figures = `settled_real, reserved_real, expired_real, expired_count_real,
  settled_synthetic, reserved_synthetic, expired_synthetic, expired_count_synthetic`;
const keyColumns = `scope, period, subject_kind AS "subjectKind", subject_name AS "subjectName"`;

/** The totals upsert (`orch_apply_totals`, migration 0007). */
const applyTotalsStatement = namedStatement(
  "apply_totals",
  `SELECT ${keyColumns}, ${figures} FROM orch_apply_totals($1::text[], $2::text[], $3::text[], $4::text[],
      $5::bigint[], $6::bigint[], $7::bigint[], $8::int[], $9::bigint[], $10::bigint[], $11::bigint[], $12::int[])`,
);

/**
 * Adds the deltas to their rows (creating missing ones) in one statement, locking every row in
 * the lock order until the transaction ends, and returns the rows as they now stand. A row may
 * appear twice in `deltas` (real and synthetic): it is merged first, because one statement may
 * not update a row twice. The upsert itself is `orch_apply_totals` (migration 0007), which the
 * ledger's reserve and close functions use too.
 */
export async function applyTotals(client: PostgresClient, deltas: readonly TotalsDelta[]): Promise<TotalsRow[]> {
  const rows = totalsChanges(deltas);
  const column = <T>(pick: (row: TotalsChange) => T) => rows.map(pick);
  const result = await execute(client, applyTotalsStatement, [
    ...keyArrays(rows.map((row) => row.key)),
    column((row) => row.real.settledNanoUsd),
    column((row) => row.real.reservedNanoUsd),
    column((row) => row.real.expiredNanoUsd),
    column((row) => row.real.expiredCount),
    column((row) => row.synthetic.settledNanoUsd),
    column((row) => row.synthetic.reservedNanoUsd),
    column((row) => row.synthetic.expiredNanoUsd),
    column((row) => row.synthetic.expiredCount),
  ]);
  return result.rows.map(totalsRowOf);
}

/** Keys as the functions of migration 0007 take them: scopes, periods, subject kinds, subject names. */
export function keyArrays(keys: readonly TotalsKey[]): [string[], string[], string[], string[]] {
  return [keys.map((key) => key.scope), keys.map((key) => key.period), keys.map((key) => key.subjectKind), keys.map((key) => key.subjectName)];
}

/** Keys once each, in the lock order. */
export function lockOrdered(keys: readonly TotalsKey[]): TotalsKey[] {
  return [...keys].sort(compareKeys).filter((key, index, sorted) => index === 0 || !sameKey(sorted[index - 1]!, key));
}

/** One row's totals without locking it; zeros when nothing ever counted there. */
export async function readTotals(pool: PostgresPool, key: TotalsKey): Promise<TotalsRow> {
  const result = await pool.query(
    `SELECT ${keyColumns}, ${figures} FROM budget_scope_totals WHERE scope = $1 AND period = $2 AND subject_kind = $3 AND subject_name = $4`,
    [key.scope, key.period, key.subjectKind, key.subjectName],
  );
  const row = result.rows[0] as Record<string, unknown> | undefined;
  return row ? totalsRowOf(row) : { ...key, real: emptyUsage(), synthetic: emptyUsage() };
}

/** What a row holds of one kind of money. */
export function usageOf(row: TotalsRow, money: MoneyKind): ScopeUsage {
  if (money !== "all") return row[money];
  return {
    settledNanoUsd: row.real.settledNanoUsd + row.synthetic.settledNanoUsd,
    reservedNanoUsd: row.real.reservedNanoUsd + row.synthetic.reservedNanoUsd,
    expiredNanoUsd: row.real.expiredNanoUsd + row.synthetic.expiredNanoUsd,
    expiredCount: row.real.expiredCount + row.synthetic.expiredCount,
  };
}

export function usedOf(usage: ScopeUsage): number {
  return usage.settledNanoUsd + usage.reservedNanoUsd + usage.expiredNanoUsd;
}

function emptyUsage(): ScopeUsage {
  return { settledNanoUsd: 0, reservedNanoUsd: 0, expiredNanoUsd: 0, expiredCount: 0 };
}

/** What one totals row changes by: the real and synthetic deltas of a key side by side. */
export interface TotalsChange {
  key: TotalsKey;
  real: ScopeUsage;
  synthetic: ScopeUsage;
}

/** One change per totals row, in the lock order (deltas of the same row summed). */
export function totalsChanges(deltas: readonly TotalsDelta[]): TotalsChange[] {
  const rows: TotalsChange[] = [];
  for (const delta of [...deltas].sort(compareKeys)) {
    let row = rows.at(-1);
    if (!row || !sameKey(row.key, delta)) {
      const key = { scope: delta.scope, period: delta.period, subjectKind: delta.subjectKind, subjectName: delta.subjectName };
      row = { key, real: emptyUsage(), synthetic: emptyUsage() };
      rows.push(row);
    }
    const usage = delta.synthetic ? row.synthetic : row.real;
    usage.settledNanoUsd += delta.settled;
    usage.reservedNanoUsd += delta.reserved;
    usage.expiredNanoUsd += delta.expired;
    usage.expiredCount += delta.expiredCount;
  }
  return rows;
}

function totalsRowOf(row: Record<string, unknown>): TotalsRow {
  const figure = (name: string) => Number(row[name]);
  return {
    scope: row.scope as LedgerScope,
    period: row.period as string,
    subjectKind: row.subjectKind as TotalsKey["subjectKind"],
    subjectName: row.subjectName as string,
    real: {
      settledNanoUsd: figure("settled_real"),
      reservedNanoUsd: figure("reserved_real"),
      expiredNanoUsd: figure("expired_real"),
      expiredCount: figure("expired_count_real"),
    },
    synthetic: {
      settledNanoUsd: figure("settled_synthetic"),
      reservedNanoUsd: figure("reserved_synthetic"),
      expiredNanoUsd: figure("expired_synthetic"),
      expiredCount: figure("expired_count_synthetic"),
    },
  };
}
