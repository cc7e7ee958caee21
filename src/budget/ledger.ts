/**
 * The budget ledger: reserve the worst case before each provider attempt, settle to the real cost
 * after it, release when nothing was used. A hard limit is never exceeded by reservations,
 * whatever the concurrency, because the check and the reservation are one transaction in the
 * store; a settlement above its reservation is recorded as an overrun (see overruns.ts).
 */
import type { BudgetScope } from "../policy/decision.js";
import os from "node:os";
import type { LedgerStore, ScopeSubject, SettledCall, SettleOutcome, TeamLimit } from "../contracts/ledger-store.js";
import type { ReservationClose } from "../contracts/run-store.js";
import { moneyCountedIn } from "../store/ledger-scopes.js";
import { recordCrossedAlerts, type BudgetAlert } from "./alerts.js";
import { calendarKeys, ledgerTimeZone } from "./calendar.js";
import { describeScope, scopeLimitsFor, type BudgetLimits } from "./limits.js";
import { formatBalance, formatLimit, formatUsd } from "../money/format-usd.js";
import { ledgerAmountNano, nanoToUsd } from "./money.js";
import { overrunOf, type BudgetOverrun } from "./overruns.js";
import { reconcileLedger, type ReconcileReport } from "./reconcile.js";

export { nanoToUsd, usdToNano } from "./money.js";
export type { BudgetLimits } from "./limits.js";

export interface Reservation {
  id: number;
  amountUsd: number;
}

export interface Refusal {
  scope: BudgetScope;
  /** Set when a per-pipeline or per-tag limit refused. */
  subject?: ScopeSubject;
  usedUsd: number;
  limitUsd: number;
  /** A sentence for the decision's notes and the step's error. */
  reason: string;
}

/** What a reservation counts against besides the run, the day and the month. */
export interface ReservationTarget {
  /** The step's tags, for per-tag limits. */
  tags?: readonly string[];
  /** Synthetic money (a mock or replay call): held against the run's limit only, never the real day or month. */
  synthetic?: boolean;
}

export type { SettledCall } from "../contracts/ledger-store.js";

export type ReserveOutcome = { ok: true; reservation: Reservation } | { ok: false; refusal: Refusal };

export interface Ledger {
  reserve(amountUsd: number, target?: ReservationTarget): Promise<ReserveOutcome>;
  /**
   * Returns the soft alerts this settle crossed (each recorded once per period, across processes).
   * A cost above the reservation is recorded as an overrun of `call` and passed to `onOverrun`.
   */
  settle(reservation: Reservation, actualUsd: number, call?: SettledCall): Promise<BudgetAlert[]>;
  release(reservation: Reservation): Promise<void>;
  /**
   * How a paid call's record closes a reservation in the store's own transaction
   * (`RunStore.recordPaidCall`): settled at `actualUsd`, or released when `actualUsd` is undefined.
   */
  closing(reservation: Reservation, actualUsd: number | undefined, call: SettledCall): ReservationClose;
  /** After the store settled a reservation with a call's record: the overrun event and the alerts, as `settle` raises them. */
  settled(reservation: Reservation, outcome: SettleOutcome | undefined): Promise<BudgetAlert[]>;
  /**
   * Money left per period, counting open reservations at their worst case. With a target, a
   * tighter per-pipeline or per-tag limit lowers the day or month figure: it is what this step may spend.
   */
  left(target?: ReservationTarget): Promise<Partial<Record<BudgetScope, number>>>;
  /** The zone of this ledger's days and months (the policy's, else the store's). */
  readonly timeZone: string;
  /** Closes the open reservations of vanished processes and overdue ones; see `reconcileLedger`. */
  reconcile(): Promise<ReconcileReport>;
}

export interface LedgerOptions {
  store: LedgerStore;
  runId: string;
  pipelineName: string;
  limits: BudgetLimits;
  /** The policy's `time_zone`; without one, the zone fixed for the store (see `ledgerTimeZone`). */
  timeZone?: string;
  now?: () => Date;
  processId?: number;
  /** This machine's name, as the ledger's rows name a process's machine (default `os.hostname()`). */
  hostName?: string;
  /** After this, an open reservation of a vanished process is counted as spent and closed. */
  reservationTtlMs?: number;
  /** Fractions of a limit (0.5, 0.8, 0.95) at which a soft alert is raised after a settle. */
  alerts?: readonly number[];
  /** Called for each alert `settle` returns: the executor turns it into a `budget-alert` event. */
  onAlert?: (alert: BudgetAlert) => void;
  /** Called for each overrun a settle records: the executor turns it into a `budget-overrun` event. */
  onOverrun?: (overrun: BudgetOverrun) => void;
}

/** Asynchronous because the calendar zone may be the store's (read, or fixed by the first process to ask). */
export async function createLedger(options: LedgerOptions): Promise<Ledger> {
  const now = options.now ?? (() => new Date());
  const ttl = options.reservationTtlMs ?? 30 * 60_000;
  const processId = options.processId ?? process.pid;
  const hostName = options.hostName ?? os.hostname();
  const { store } = options;
  const fractions = [...new Set(options.alerts ?? [])].sort((a, b) => a - b);
  const project = options.limits.project;
  const timeZone = await ledgerTimeZone(store, options.timeZone, now(), project?.team);
  const keysAt = (date: Date) => ({ runId: options.runId, ...calendarKeys(date, timeZone) });
  // Synthetic money is held against the run only: the day and month are the user's real money.
  // A team's limits are read from the store at each use: another project's lead may change them at
  // any time. A reservation leaves them to the store, which reads them in its own transaction.
  const teamLimits = async () => (project?.team === undefined ? [] : await store.teamLimits(project.team));
  const limitsFor = (target: ReservationTarget | undefined, stored: readonly TeamLimit[]) =>
    scopeLimitsFor(options.limits, { pipelineName: options.pipelineName, ...(target?.tags ? { tags: target.tags } : {}) }, stored).filter(
      (limit) => target?.synthetic !== true || moneyCountedIn(limit.scope) === "all",
    );
  const afterSettle = async (reservation: Reservation, outcome: SettleOutcome | undefined, date: Date) => {
    if (outcome?.overrun) options.onOverrun?.(overrunOf(outcome.overrun));
    const alerts = await recordCrossedAlerts(store, reservation.id, options.limits, fractions, date);
    for (const alert of alerts) options.onAlert?.(alert);
    return alerts;
  };

  return {
    timeZone,
    async reserve(amountUsd, target) {
      const date = now();
      const outcome = await store.reserve({
        ...keysAt(date),
        pipelineName: options.pipelineName,
        ...(target?.tags ? { tags: target.tags } : {}),
        amountNanoUsd: ledgerAmountNano(amountUsd, "reserve"),
        ...(target?.synthetic ? { synthetic: true } : {}),
        ...(project === undefined ? {} : { project: project.project, ...(project.team === undefined ? {} : { team: project.team }) }),
        limits: limitsFor(target, []),
        processId,
        hostName,
        createdAt: date.toISOString(),
        expiresAt: new Date(date.getTime() + ttl).toISOString(),
      });
      if (outcome.ok) return { ok: true, reservation: { id: outcome.reservationId, amountUsd } };
      const { scope, subject, limitNanoUsd } = outcome.limit;
      const usedUsd = nanoToUsd(outcome.usedNanoUsd);
      const limitUsd = nanoToUsd(limitNanoUsd);
      return {
        ok: false,
        refusal: {
          scope,
          ...(subject ? { subject } : {}),
          usedUsd,
          limitUsd,
          reason: `worst case ${formatUsd(amountUsd)} exceeds the ${formatBalance(nanoToUsd(Math.max(0, limitNanoUsd - outcome.usedNanoUsd)))} left ${describeScope(scope, subject)} (limit ${formatLimit(limitUsd)})`,
        },
      };
    },
    async settle(reservation, actualUsd, call) {
      const date = now();
      const outcome = await store.settle(reservation.id, ledgerAmountNano(actualUsd, "settle"), date.toISOString(), call);
      return afterSettle(reservation, outcome, date);
    },
    async release(reservation) {
      await store.release(reservation.id, now().toISOString());
    },
    closing(reservation, actualUsd, call) {
      return actualUsd === undefined
        ? { kind: "release", reservationId: reservation.id }
        : { kind: "settle", reservationId: reservation.id, actualNanoUsd: ledgerAmountNano(actualUsd, "settle"), call };
    },
    settled: (reservation, outcome) => afterSettle(reservation, outcome, now()),
    async left(target) {
      const keys = keysAt(now());
      const left: Partial<Record<BudgetScope, number>> = {};
      for (const limit of limitsFor(target, await teamLimits())) {
        const leftUsd = nanoToUsd(Math.max(0, limit.limitNanoUsd - (await store.usedInScope(limit.scope, keys, limit.subject))));
        left[limit.scope] = Math.min(left[limit.scope] ?? Infinity, leftUsd);
      }
      return left;
    },
    reconcile() {
      return reconcileLedger(store, { now: now(), hostName, currentProcessId: processId });
    },
  };
}
