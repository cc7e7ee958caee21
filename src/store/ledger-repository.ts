/**
 * The ledger's rows. Every check-and-insert runs in one IMMEDIATE transaction, so two `orch`
 * processes sharing the database can never both pass a check that only one of them fits under.
 *
 * What a scope has used = settled amounts + open reservations at their worst case + expired
 * reservations at their worst case (a crashed process may have spent it: never guess low).
 */
import type { SqliteDatabase } from "./database.js";

export type LedgerScope = "run" | "day" | "month";

export interface ScopeKeys {
  runId: string;
  day: string;
  month: string;
}

export interface ReservationRequest extends ScopeKeys {
  pipelineName: string;
  amountNanoUsd: number;
  /** Limits in nano-USD per scope; an absent scope has no limit. */
  limitsNanoUsd: Partial<Record<LedgerScope, number>>;
  processId: number;
  createdAt: string;
  expiresAt: string;
}

export type ReservationOutcome =
  | { ok: true; reservationId: number }
  | { ok: false; scope: LedgerScope; usedNanoUsd: number; limitNanoUsd: number };

const usedExpression = `COALESCE(SUM(CASE WHEN status = 'settled' THEN settled_nano_usd
                                          WHEN status IN ('reserved', 'expired') THEN reserved_nano_usd
                                          ELSE 0 END), 0)`;

export class LedgerRepository {
  constructor(private readonly database: SqliteDatabase) {}

  reserve(request: ReservationRequest): ReservationOutcome {
    return this.database
      .transaction((): ReservationOutcome => {
        this.expireOverdue(request.createdAt);
        for (const scope of ["run", "day", "month"] as const) {
          const limit = request.limitsNanoUsd[scope];
          if (limit === undefined) continue;
          const used = this.usedInScope(scope, request);
          if (used + request.amountNanoUsd > limit) return { ok: false, scope, usedNanoUsd: used, limitNanoUsd: limit };
        }
        const result = this.database
          .prepare(
            `INSERT INTO budget_reservations (run_id, pipeline_name, day, month, reserved_nano_usd, status, process_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?, ?)`,
          )
          .run(request.runId, request.pipelineName, request.day, request.month, request.amountNanoUsd, request.processId, request.createdAt, request.expiresAt);
        return { ok: true, reservationId: Number(result.lastInsertRowid) };
      })
      .immediate();
  }

  /**
   * Settles at the real cost. The real cost may exceed the reservation only if a provider
   * overran `max_tokens`; it is recorded as is, because the ledger must not lie about spend.
   */
  settle(reservationId: number, actualNanoUsd: number, closedAt: string): boolean {
    const result = this.database
      .prepare(
        `UPDATE budget_reservations SET status = 'settled', settled_nano_usd = ?, closed_at = ?
         WHERE id = ? AND status IN ('reserved', 'expired')`,
      )
      .run(actualNanoUsd, closedAt, reservationId);
    return result.changes === 1;
  }

  release(reservationId: number, closedAt: string): boolean {
    const result = this.database
      .prepare(`UPDATE budget_reservations SET status = 'released', closed_at = ? WHERE id = ? AND status = 'reserved'`)
      .run(closedAt, reservationId);
    return result.changes === 1;
  }

  usedInScope(scope: LedgerScope, keys: ScopeKeys): number {
    const column = scope === "run" ? "run_id" : scope;
    const key = scope === "run" ? keys.runId : keys[scope];
    const row = this.database.prepare(`SELECT ${usedExpression} AS used FROM budget_reservations WHERE ${column} = ?`).get(key) as {
      used: number;
    };
    return row.used;
  }

  /** Open reservations in a scope at their worst case (for `orch budget`). */
  reservedInScope(scope: LedgerScope, keys: ScopeKeys): number {
    const column = scope === "run" ? "run_id" : scope;
    const key = scope === "run" ? keys.runId : keys[scope];
    const row = this.database
      .prepare(`SELECT COALESCE(SUM(reserved_nano_usd), 0) AS reserved FROM budget_reservations WHERE ${column} = ? AND status = 'reserved'`)
      .get(key) as { reserved: number };
    return row.reserved;
  }

  openReservationCount(runId?: string): number {
    const row = (
      runId === undefined
        ? this.database.prepare(`SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved'`).get()
        : this.database.prepare(`SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved' AND run_id = ?`).get(runId)
    ) as { count: number };
    return row.count;
  }

  /** Reservations of a crashed process stay counted at their worst case, but stop being "open". */
  expireOverdue(now: string): number {
    return this.database
      .prepare(`UPDATE budget_reservations SET status = 'expired', closed_at = ? WHERE status = 'reserved' AND expires_at < ?`)
      .run(now, now).changes;
  }
}
