/** The budget ledger's public surface: reserve, settle, release, alerts, reconciliation, status. */
export { createLedger } from "./ledger.js";
export type { Ledger, LedgerOptions, Refusal, Reservation, ReservationTarget, SettledCall } from "./ledger.js";
export type { BudgetOverrun } from "./overruns.js";
export type { BudgetAlert } from "./alerts.js";
export { ledgerSettingsOf, scopeLimitsFor, describeScope } from "./limits.js";
export type { BudgetLimits, LedgerSettings, ScopedLimits } from "./limits.js";
export { reconcileLedger, isProcessAlive } from "./reconcile.js";
export type { ExpiredReservation, ReconcileOptions, ReconcileReport } from "./reconcile.js";
export { budgetStatus } from "./status.js";
export type { BudgetStatus, ScopeStatus } from "./status.js";
export { calendarKeys, ledgerTimeZone } from "./calendar.js";
export { nanoToUsd, usdToNano } from "./money.js";
