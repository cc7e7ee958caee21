/**
 * Running totals per budget scope, kept in `budget_scope_totals` by the same transaction that
 * changes a reservation: a budget check reads one row per scope instead of summing every
 * reservation of the day and month (which made each call slower as the month filled up).
 *
 * One row per (scope, period, subject, synthetic): a reservation counts in its run, day and month,
 * each for all pipelines, for its pipeline and for each of its tags, and in the day and month of
 * its team and project (`countedSubjects`, shared with the PostgreSQL store). Every change is an UPSERT
 * adding a delta (`INSERT … ON CONFLICT … DO UPDATE SET x = table.x + excluded.x`), which SQLite
 * and PostgreSQL both run as written, so the totals stay exact across processes on either store:
 * the delta is applied under the same lock (SQLite's IMMEDIATE transaction) or row lock
 * (PostgreSQL) as the reservation row it mirrors.
 */
import type { SqliteDatabase } from "./database.js";
import { countedSubjects, periodOf, type CountedPlace, type LedgerScope, type MoneyKind, type ScopeKeys, type ScopeSubject } from "./ledger-scopes.js";

/** Where one reservation counts. */
export interface ReservationPlace extends ScopeKeys, CountedPlace {
  synthetic: boolean;
}

/** What a change of one reservation adds to each of its scopes (negative to take away). */
export interface TotalsDelta {
  settled?: number;
  reserved?: number;
  expired?: number;
  expiredCount?: number;
}

export interface ScopeTotals {
  settled: number;
  reserved: number;
  expired: number;
  expiredCount: number;
}

const upsert = `
  INSERT INTO budget_scope_totals (scope, period, subject_kind, subject_name, synthetic, settled_nano_usd, reserved_nano_usd, expired_nano_usd, expired_count)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (scope, period, subject_kind, subject_name, synthetic) DO UPDATE SET
    settled_nano_usd = budget_scope_totals.settled_nano_usd + excluded.settled_nano_usd,
    reserved_nano_usd = budget_scope_totals.reserved_nano_usd + excluded.reserved_nano_usd,
    expired_nano_usd = budget_scope_totals.expired_nano_usd + excluded.expired_nano_usd,
    expired_count = budget_scope_totals.expired_count + excluded.expired_count`;

/** Adds `delta` to every scope the reservation counts in. Call inside the reservation's transaction. */
export function addToScopeTotals(database: SqliteDatabase, place: ReservationPlace, delta: TotalsDelta): void {
  const statement = database.prepare(upsert);
  for (const { scope, subject } of countedSubjects(place)) {
    const values = [delta.settled ?? 0, delta.reserved ?? 0, delta.expired ?? 0, delta.expiredCount ?? 0];
    statement.run(scope, periodOf(scope, place), subject?.kind ?? "all", subject?.name ?? "", place.synthetic ? 1 : 0, ...values);
  }
}

/** The totals of one scope for the money it counts: one or two rows, found by primary key. */
export function readScopeTotals(database: SqliteDatabase, scope: LedgerScope, keys: ScopeKeys, subject: ScopeSubject | undefined, money: MoneyKind): ScopeTotals {
  const synthetic = money === "all" ? "" : ` AND synthetic = ${money === "synthetic" ? 1 : 0}`;
  const row = database
    .prepare(
      `SELECT COALESCE(SUM(settled_nano_usd), 0) AS settled, COALESCE(SUM(reserved_nano_usd), 0) AS reserved,
              COALESCE(SUM(expired_nano_usd), 0) AS expired, COALESCE(SUM(expired_count), 0) AS expiredCount
       FROM budget_scope_totals WHERE scope = ? AND period = ? AND subject_kind = ? AND subject_name = ?${synthetic}`,
    )
    .get(scope, periodOf(scope, keys), subject?.kind ?? "all", subject?.name ?? "") as ScopeTotals;
  return row;
}
