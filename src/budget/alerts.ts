/**
 * Soft alerts: after a settle, each scope the reservation counted in is compared with its limit,
 * and every configured fraction that spend has reached is recorded once per period. The record's
 * unique key decides who alerts, so two processes settling at once never both raise the same one.
 *
 * Spend here is what is gone: settled amounts plus expired reservations at their worst case.
 * Open reservations are not spend yet; counting them would alert on money that may come back.
 */
import type { BudgetScope } from "../policy/decision.js";
import type { LedgerStore, ScopeSubject } from "../contracts/ledger-store.js";
import { periodOf } from "../store/ledger-scopes.js";
import { scopeLimitsFor, type BudgetLimits } from "./limits.js";
import { nanoToUsd } from "./money.js";

export interface BudgetAlert {
  scope: BudgetScope;
  /** Set for a per-pipeline or per-tag limit. */
  subject?: ScopeSubject;
  /** The run id, day (`2026-03-31`) or month (`2026-03`) the alert belongs to. */
  period: string;
  /** The configured fraction that was reached, e.g. 0.8. */
  fraction: number;
  usedUsd: number;
  limitUsd: number;
  at: string;
}

export async function recordCrossedAlerts(
  store: Pick<LedgerStore, "reservationScopes" | "usageInScope" | "recordAlert" | "teamLimits">,
  reservationId: number,
  limits: BudgetLimits,
  fractions: readonly number[],
  at: Date,
): Promise<BudgetAlert[]> {
  if (fractions.length === 0) return [];
  const scopes = await store.reservationScopes(reservationId);
  if (!scopes) return [];
  const alerts: BudgetAlert[] = [];
  const stored = limits.project?.team === undefined ? [] : await store.teamLimits(limits.project.team);
  for (const limit of scopeLimitsFor(limits, scopes, stored)) {
    if (limit.limitNanoUsd <= 0) continue;
    const usage = await store.usageInScope(limit.scope, scopes, limit.subject);
    const spentNanoUsd = usage.settledNanoUsd + usage.expiredNanoUsd;
    for (const fraction of fractions) {
      if (spentNanoUsd < fraction * limit.limitNanoUsd) break;
      const alert = {
        scope: limit.scope,
        ...(limit.subject ? { subject: limit.subject } : {}),
        period: periodOf(limit.scope, scopes),
        fraction,
        usedNanoUsd: spentNanoUsd,
        limitNanoUsd: limit.limitNanoUsd,
        runId: scopes.runId,
        createdAt: at.toISOString(),
      };
      if (!(await store.recordAlert(alert))) continue;
      alerts.push({
        scope: alert.scope,
        ...(alert.subject ? { subject: alert.subject } : {}),
        period: alert.period,
        fraction,
        usedUsd: nanoToUsd(spentNanoUsd),
        limitUsd: nanoToUsd(limit.limitNanoUsd),
        at: alert.createdAt,
      });
    }
  }
  return alerts;
}
