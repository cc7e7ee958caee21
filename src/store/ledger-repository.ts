/**
 * The ledger's rows. Every check-and-insert runs in one IMMEDIATE transaction, so two `orch`
 * processes sharing the database can never both pass a check that only one of them fits under.
 *
 * What a scope has used = settled amounts + open reservations at their worst case + expired
 * reservations at their worst case (a crashed process may have spent it: never guess low).
 * Those figures are running totals (scope-totals.ts), changed in the same transaction as the row.
 */
import { alertRowValues, overrunRecordOf, overrunRowValues } from "./ledger-records.js";
import type { SqliteDatabase } from "./database.js";
import type {
  AlertRecord,
  OverrunRecord,
  ReservationOutcome,
  ReservationRequest as StoreReservationRequest,
  ReservationRow as StoreReservationRow,
  ReservationScopes,
  ScopeUsage,
  SettledCall,
  SettleOutcome,
  TeamLimit,
  TeamLimitChange,
  TeamLimitScope,
} from "../contracts/ledger-store.js";
import { projectOf, projectsOfTeam, readTeamLimits, subjectNamesIn, teamsIn, writeTeamLimits, type ProjectColumns } from "./team-limits.js";
import { moneyCountedIn, teamScopeLimits, type LedgerScope, type MoneyKind, type ScopeKeys, type ScopeSubject } from "./ledger-scopes.js";
import { addToScopeTotals, readScopeTotals, type ReservationPlace } from "./scope-totals.js";

export type { LedgerScope, MoneyKind, ScopeKeys, ScopeSubject } from "./ledger-scopes.js";
// The ledger's record shapes are the store contract's (contracts/ledger-store.ts), one definition for both stores.
export type {
  AlertRecord,
  OverrunRecord,
  ReservationOutcome,
  ReservationScopes,
  ScopeLimit,
  ScopeUsage,
  SettledCall,
  SettleOutcome,
  TeamLimit,
  TeamLimitChange,
} from "../contracts/ledger-store.js";

/** SQLite is one machine's file: its reservations name their process by id alone (the async adapter adds the host). */
export type ReservationRequest = Omit<StoreReservationRequest, "hostName">;
export type ReservationRow = Omit<StoreReservationRow, "hostName">;

const reservationColumns = `id, run_id AS runId, pipeline_name AS pipelineName, reserved_nano_usd AS reservedNanoUsd,
  process_id AS processId, created_at AS createdAt, expires_at AS expiresAt`;

export class LedgerRepository {
  constructor(private readonly database: SqliteDatabase) {}

  reserve(request: ReservationRequest): ReservationOutcome {
    return this.database
      .transaction((): ReservationOutcome => {
        this.expireOverdue(request.createdAt);
        // The team's stored limits are read here, in the reservation's own transaction: a limit
        // changed by another project's lead binds from the next reservation on.
        const stored =
          request.team === undefined || request.project === undefined ? [] : teamScopeLimits(readTeamLimits(this.database, request.team), request.team, request.project);
        for (const limit of [...request.limits, ...stored]) {
          // Synthetic money never counts in a calendar scope, so it is not checked against one.
          if (request.synthetic === true && moneyCountedIn(limit.scope) === "real") continue;
          // `used` includes settled overruns: a scope already over its limit refuses any amount above $0.
          const used = this.usedInScope(limit.scope, request, limit.subject);
          if (used + request.amountNanoUsd > limit.limitNanoUsd) return { ok: false, limit, usedNanoUsd: used };
        }
        const result = this.database
          .prepare(
            `INSERT INTO budget_reservations (run_id, pipeline_name, day, month, reserved_nano_usd, status, process_id, created_at, expires_at, synthetic, team, project)
             VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            request.runId,
            request.pipelineName,
            request.day,
            request.month,
            request.amountNanoUsd,
            request.processId,
            request.createdAt,
            request.expiresAt,
            request.synthetic === true ? 1 : 0,
            request.project === undefined ? null : (request.team ?? null),
            request.project ?? null,
          );
        const reservationId = Number(result.lastInsertRowid);
        const tags = [...new Set(request.tags ?? [])];
        const insertTag = this.database.prepare(`INSERT OR IGNORE INTO budget_reservation_tags (reservation_id, tag) VALUES (?, ?)`);
        for (const tag of tags) insertTag.run(reservationId, tag);
        const place = { runId: request.runId, day: request.day, month: request.month, pipelineName: request.pipelineName, tags, synthetic: request.synthetic === true, ...projectOf({ team: request.team ?? null, project: request.project ?? null }) };
        addToScopeTotals(this.database, place, { reserved: request.amountNanoUsd });
        return { ok: true, reservationId };
      })
      .immediate();
  }

  /**
   * Settles at the real cost. The real cost exceeds the reservation only when a provider reported
   * usage beyond what the request allowed (output above `max_tokens`, input above orch's bound):
   * it is recorded as is, because the ledger must not lie about spend, and the excess is recorded
   * as an overrun in the same transaction. An expired reservation can still be settled: its
   * process was slow, not gone.
   */
  settle(reservationId: number, actualNanoUsd: number, closedAt: string, call?: SettledCall): SettleOutcome {
    return this.database
      .transaction((): SettleOutcome => {
        const row = this.openReservation(reservationId);
        if (!row) return { settled: false };
        this.database
          .prepare(`UPDATE budget_reservations SET status = 'settled', settled_nano_usd = ?, closed_at = ? WHERE id = ?`)
          .run(actualNanoUsd, closedAt, reservationId);
        addToScopeTotals(this.database, row, { ...closing(row), settled: actualNanoUsd });
        if (actualNanoUsd <= row.reservedNanoUsd) return { settled: true };
        const overrun = overrunRecordOf(reservationId, row, actualNanoUsd, closedAt, call);
        this.database
          .prepare(
            `INSERT INTO budget_overruns (reservation_id, run_id, pipeline_name, day, month, step, item_index, attempt, provider, model, synthetic,
               reserved_nano_usd, settled_nano_usd, overrun_nano_usd, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(...overrunRowValues(overrun));
        return { settled: true, overrun };
      })
      .immediate();
  }

  /** Nothing was spent: the worst case is freed, also for a reservation that had expired meanwhile. */
  release(reservationId: number, closedAt: string): boolean {
    return this.database
      .transaction((): boolean => {
        const row = this.openReservation(reservationId);
        if (!row) return false;
        this.database.prepare(`UPDATE budget_reservations SET status = 'released', closed_at = ? WHERE id = ?`).run(closedAt, reservationId);
        addToScopeTotals(this.database, row, closing(row));
        return true;
      })
      .immediate();
  }

  /** A reservation still open (or expired, which can still be closed), with where it counts. */
  private openReservation(reservationId: number): OpenReservation | undefined {
    const row = this.database
      .prepare(
        `SELECT run_id AS runId, pipeline_name AS pipelineName, day, month, reserved_nano_usd AS reservedNanoUsd, synthetic, status, team, project
         FROM budget_reservations WHERE id = ? AND status IN ('reserved', 'expired')`,
      )
      .get(reservationId) as (Omit<OpenReservation, "synthetic" | "tags" | "team" | "project"> & { synthetic: number } & ProjectColumns) | undefined;
    if (!row) return undefined;
    const { team, project, ...rest } = row;
    return { ...rest, synthetic: row.synthetic === 1, tags: this.tagsOf(reservationId), ...projectOf({ team, project }) };
  }

  private tagsOf(reservationId: number): string[] {
    const rows = this.database.prepare(`SELECT tag FROM budget_reservation_tags WHERE reservation_id = ? ORDER BY tag`).all(reservationId) as { tag: string }[];
    return rows.map((entry) => entry.tag);
  }

  /** Open reservations just marked expired keep counting at their worst case, now as expired money. */
  private countExpired(rows: readonly ReservationRow[]): void {
    for (const row of rows) {
      const place = this.database
        .prepare(`SELECT day, month, synthetic, team, project FROM budget_reservations WHERE id = ?`)
        .get(row.id) as { day: string; month: string; synthetic: number } & ProjectColumns;
      addToScopeTotals(
        this.database,
        { runId: row.runId, pipelineName: row.pipelineName, day: place.day, month: place.month, synthetic: place.synthetic === 1, tags: this.tagsOf(row.id), ...projectOf(place) },
        { reserved: -row.reservedNanoUsd, expired: row.reservedNanoUsd, expiredCount: 1 },
      );
    }
  }

  usedInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject): number {
    const usage = this.usageInScope(scope, keys, subject);
    return usage.settledNanoUsd + usage.reservedNanoUsd + usage.expiredNanoUsd;
  }

  /** What a scope holds; `money` defaults to what the scope's budget counts (see `moneyCountedIn`). */
  usageInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject, money?: MoneyKind): ScopeUsage {
    const row = readScopeTotals(this.database, scope, keys, subject, money ?? moneyCountedIn(scope));
    return { settledNanoUsd: row.settled, reservedNanoUsd: row.reserved, expiredNanoUsd: row.expired, expiredCount: row.expiredCount };
  }

  /** Open reservations in a scope at their worst case. */
  reservedInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject): number {
    return this.usageInScope(scope, keys, subject).reservedNanoUsd;
  }

  reservationScopes(reservationId: number): ReservationScopes | undefined {
    const row = this.database
      .prepare(`SELECT run_id AS runId, pipeline_name AS pipelineName, day, month, team, project FROM budget_reservations WHERE id = ?`)
      .get(reservationId) as (Omit<ReservationScopes, "tags" | "team" | "project"> & ProjectColumns) | undefined;
    if (!row) return undefined;
    const { team, project, ...rest } = row;
    return { ...rest, tags: this.tagsOf(reservationId), ...projectOf({ team, project }) };
  }

  openReservationCount(runId?: string): number {
    const row = (
      runId === undefined
        ? this.database.prepare(`SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved'`).get()
        : this.database.prepare(`SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved' AND run_id = ?`).get(runId)
    ) as { count: number };
    return row.count;
  }

  /** Process ids holding open reservations, to find the ones that vanished. */
  processesWithOpenReservations(): number[] {
    const rows = this.database.prepare(`SELECT DISTINCT process_id AS processId FROM budget_reservations WHERE status = 'reserved'`).all() as {
      processId: number;
    }[];
    return rows.map((row) => row.processId);
  }

  /** Reservations of a crashed process stay counted at their worst case, but stop being "open". Call inside a transaction. */
  expireOverdue(now: string): number {
    const rows = this.database
      .prepare(`UPDATE budget_reservations SET status = 'expired', closed_at = ? WHERE status = 'reserved' AND expires_at < ? RETURNING ${reservationColumns}`)
      .all(now, now) as ReservationRow[];
    this.countExpired(rows);
    return rows.length;
  }

  /**
   * Expires what is overdue and every open reservation of the given (vanished) processes, in one
   * transaction, and returns the rows it closed.
   */
  expireReservations(now: string, vanishedProcessIds: readonly number[]): ReservationRow[] {
    return this.database
      .transaction((): ReservationRow[] => {
        const expired = this.database
          .prepare(`UPDATE budget_reservations SET status = 'expired', closed_at = ? WHERE status = 'reserved' AND expires_at < ? RETURNING ${reservationColumns}`)
          .all(now, now) as ReservationRow[];
        const byProcess = this.database.prepare(
          `UPDATE budget_reservations SET status = 'expired', closed_at = ? WHERE status = 'reserved' AND process_id = ? RETURNING ${reservationColumns}`,
        );
        for (const processId of vanishedProcessIds) expired.push(...(byProcess.all(now, processId) as ReservationRow[]));
        this.countExpired(expired);
        return expired.sort((a, b) => a.id - b.id);
      })
      .immediate();
  }

  /** Overruns recorded in this run, day or month (overruns of synthetic money only in the run). */
  overrunsInPeriods(keys: ScopeKeys): OverrunRecord[] {
    const rows = this.database
      .prepare(
        `SELECT ${overrunColumns} FROM budget_overruns
         WHERE run_id = ? OR (synthetic = 0 AND (day = ? OR month = ?))
         ORDER BY created_at, id`,
      )
      .all(keys.runId, keys.day, keys.month) as OverrunRow[];
    return rows.map(overrunOf);
  }

  /** Overruns recorded at or after `sinceIso` and before `untilIso`, oldest first. */
  overrunsBetween(sinceIso: string, untilIso: string): OverrunRecord[] {
    const rows = this.database
      .prepare(`SELECT ${overrunColumns} FROM budget_overruns WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`)
      .all(sinceIso, untilIso) as OverrunRow[];
    return rows.map(overrunOf);
  }

  /**
   * The database's own calendar zone: the first process to ask fixes it (INSERT OR IGNORE in one
   * transaction, so two processes asking at once get the same answer), and every later process
   * reads it back, whatever its own `TZ`.
   */
  calendarZone(proposed: string, at: string): string {
    return this.database
      .transaction((): string => {
        this.database.prepare(`INSERT OR IGNORE INTO ledger_settings (name, value, set_at) VALUES ('time_zone', ?, ?)`).run(proposed, at);
        return (this.database.prepare(`SELECT value FROM ledger_settings WHERE name = 'time_zone'`).get() as { value: string }).value;
      })
      .immediate();
  }

  /** True when this process is the first to record the alert: two processes never both alert. */
  recordAlert(alert: AlertRecord): boolean {
    const result = this.database
      .prepare(
        `INSERT OR IGNORE INTO budget_alerts (scope, subject_kind, subject_name, period, fraction, used_nano_usd, limit_nano_usd, run_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...alertRowValues(alert));
    return result.changes === 1;
  }

  /** The limits stored for a team and its projects (`orch budget team set`); see team-limits.ts. */
  teamLimits(team: string): TeamLimit[] {
    return readTeamLimits(this.database, team);
  }

  setTeamLimits(team: string, changes: readonly TeamLimitChange[], setBy: string, setAt: string): TeamLimit[] {
    return this.database.transaction(() => writeTeamLimits(this.database, team, changes, setBy, setAt)).immediate();
  }

  teams(month: string): string[] {
    return teamsIn(this.database, month);
  }

  teamProjects(team: string, month: string): string[] {
    return projectsOfTeam(this.database, team, month);
  }

  subjectsInPeriod(scope: TeamLimitScope, keys: ScopeKeys, kind: ScopeSubject["kind"], prefix?: string): string[] {
    return subjectNamesIn(this.database, scope, keys, kind, prefix);
  }

  /** Alerts already recorded for the periods of these keys (this run, this day, this month). */
  alertsInPeriods(keys: ScopeKeys): AlertRecord[] {
    const rows = this.database
      .prepare(
        `SELECT scope, subject_kind AS subjectKind, subject_name AS subjectName, period, fraction, used_nano_usd AS usedNanoUsd,
                limit_nano_usd AS limitNanoUsd, run_id AS runId, created_at AS createdAt
         FROM budget_alerts
         WHERE (scope = 'run' AND period = ?) OR (scope = 'day' AND period = ?) OR (scope = 'month' AND period = ?)
         ORDER BY created_at, id`,
      )
      .all(keys.runId, keys.day, keys.month) as (Omit<AlertRecord, "subject"> & { subjectKind: "all" | ScopeSubject["kind"]; subjectName: string })[];
    return rows.map(({ subjectKind, subjectName, ...alert }) => ({
      ...alert,
      ...(subjectKind === "all" ? {} : { subject: { kind: subjectKind, name: subjectName } }),
    }));
  }
}

interface OpenReservation extends ReservationPlace {
  reservedNanoUsd: number;
  status: "reserved" | "expired";
}

/** What closing an open or expired reservation takes off its scopes' totals. */
function closing(row: OpenReservation) {
  return row.status === "reserved" ? { reserved: -row.reservedNanoUsd } : { expired: -row.reservedNanoUsd, expiredCount: -1 };
}

const overrunColumns = `reservation_id AS reservationId, run_id AS runId, pipeline_name AS pipelineName, day, month, step, item_index AS item,
  attempt, provider, model, synthetic, reserved_nano_usd AS reservedNanoUsd, settled_nano_usd AS settledNanoUsd,
  overrun_nano_usd AS overrunNanoUsd, created_at AS createdAt`;

type OverrunRow = Omit<OverrunRecord, "synthetic" | "item"> & { synthetic: number; item: number | null };

function overrunOf({ synthetic, item, ...row }: OverrunRow): OverrunRecord {
  return { ...row, ...(item === null ? {} : { item }), synthetic: synthetic === 1 };
}
