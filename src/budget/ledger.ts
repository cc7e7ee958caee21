/**
 * The budget ledger: reserve the worst case before a call, settle to the real cost after it,
 * release on failure. A hard limit is never exceeded, whatever the concurrency, because the
 * check and the reservation are one transaction in the store.
 */
import type { BudgetScope } from "../policy/decision.js";
import type { LedgerRepository, LedgerScope } from "../store/ledger-repository.js";
import { calendarKeys } from "./calendar.js";

export interface BudgetLimits {
  runUsd?: number;
  dailyUsd?: number;
  monthlyUsd?: number;
}

export interface Reservation {
  id: number;
  amountUsd: number;
}

export interface Refusal {
  scope: BudgetScope;
  usedUsd: number;
  limitUsd: number;
  /** A sentence for the decision's notes and the step's error. */
  reason: string;
}

export interface Ledger {
  reserve(amountUsd: number): { ok: true; reservation: Reservation } | { ok: false; refusal: Refusal };
  settle(reservation: Reservation, actualUsd: number): void;
  release(reservation: Reservation): void;
  /** Money left per limited scope, counting open reservations at their worst case. */
  left(): Partial<Record<BudgetScope, number>>;
}

const nanoPerUsd = 1_000_000_000;

/** Rounds up: a reservation or a cost is never counted lower than it is. */
export function usdToNano(usd: number): number {
  return Math.ceil(usd * nanoPerUsd - 1e-6);
}

export function nanoToUsd(nano: number): number {
  return nano / nanoPerUsd;
}

export interface LedgerOptions {
  repository: LedgerRepository;
  runId: string;
  pipelineName: string;
  limits: BudgetLimits;
  timeZone?: string;
  now?: () => Date;
  processId?: number;
  /** After this, an open reservation of a vanished process is counted as spent and closed. */
  reservationTtlMs?: number;
}

const scopeWords: Record<LedgerScope, string> = { run: "this run", day: "today", month: "this month" };

export function createLedger(options: LedgerOptions): Ledger {
  const now = options.now ?? (() => new Date());
  const ttl = options.reservationTtlMs ?? 30 * 60_000;
  const limitsNanoUsd: Partial<Record<LedgerScope, number>> = {};
  if (options.limits.runUsd !== undefined) limitsNanoUsd.run = usdToNano(options.limits.runUsd);
  if (options.limits.dailyUsd !== undefined) limitsNanoUsd.day = usdToNano(options.limits.dailyUsd);
  if (options.limits.monthlyUsd !== undefined) limitsNanoUsd.month = usdToNano(options.limits.monthlyUsd);
  const keysAt = (date: Date) => ({ runId: options.runId, ...calendarKeys(date, options.timeZone) });

  return {
    reserve(amountUsd) {
      const date = now();
      const outcome = options.repository.reserve({
        ...keysAt(date),
        pipelineName: options.pipelineName,
        amountNanoUsd: usdToNano(amountUsd),
        limitsNanoUsd,
        processId: options.processId ?? process.pid,
        createdAt: date.toISOString(),
        expiresAt: new Date(date.getTime() + ttl).toISOString(),
      });
      if (outcome.ok) return { ok: true, reservation: { id: outcome.reservationId, amountUsd } };
      const usedUsd = nanoToUsd(outcome.usedNanoUsd);
      const limitUsd = nanoToUsd(outcome.limitNanoUsd);
      return {
        ok: false,
        refusal: {
          scope: outcome.scope,
          usedUsd,
          limitUsd,
          reason: `worst case $${formatUsd(amountUsd)} exceeds the $${formatUsd(Math.max(0, limitUsd - usedUsd))} left ${scopeWords[outcome.scope]} (limit $${formatUsd(limitUsd)})`,
        },
      };
    },
    settle(reservation, actualUsd) {
      options.repository.settle(reservation.id, usdToNano(actualUsd), now().toISOString());
    },
    release(reservation) {
      options.repository.release(reservation.id, now().toISOString());
    },
    left() {
      const keys = keysAt(now());
      const left: Partial<Record<BudgetScope, number>> = {};
      for (const scope of ["run", "day", "month"] as const) {
        const limit = limitsNanoUsd[scope];
        if (limit === undefined) continue;
        left[scope] = nanoToUsd(Math.max(0, limit - options.repository.usedInScope(scope, keys)));
      }
      return left;
    },
  };
}

/** Dollars with enough digits to see sub-cent LLM costs: $0.0042, $1.20, $12.35. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "0.00";
  if (Math.abs(usd) >= 1) return usd.toFixed(2);
  if (Math.abs(usd) >= 0.01) return usd.toFixed(4);
  return usd.toFixed(6);
}
