/**
 * Which rows of `budget_reservations` a budget scope covers: a period (a run, a calendar day or
 * month) optionally narrowed to one pipeline or one tag. One place builds the WHERE clause, so
 * the check in `reserve` and the figures of `orch budget` can never disagree.
 *
 * Synthetic money (mock and replay calls) counts in its run, like any spend, so run budgets bind
 * as they would for real; a day or a month is the user's real money, so it counts real spend only.
 */

import type { LedgerScope, MoneyKind, ScopeKeys, ScopeSubject } from "../contracts/ledger-store.js";

export type { LedgerScope, MoneyKind, ScopeKeys, ScopeSubject } from "../contracts/ledger-store.js";

export function moneyCountedIn(scope: LedgerScope): MoneyKind {
  return scope === "run" ? "all" : "real";
}

export function periodOf(scope: LedgerScope, keys: ScopeKeys): string {
  return scope === "run" ? keys.runId : keys[scope];
}

export function scopeFilter(
  scope: LedgerScope,
  keys: ScopeKeys,
  subject?: ScopeSubject,
  money: MoneyKind = moneyCountedIn(scope),
): { where: string; parameters: string[] } {
  const column = scope === "run" ? "run_id" : scope;
  const clauses = [`${column} = ?`];
  if (money !== "all") clauses.push(`synthetic = ${money === "synthetic" ? 1 : 0}`);
  const parameters = [periodOf(scope, keys)];
  if (subject?.kind === "pipeline") {
    clauses.push("pipeline_name = ?");
    parameters.push(subject.name);
  } else if (subject?.kind === "tag") {
    clauses.push("id IN (SELECT reservation_id FROM budget_reservation_tags WHERE tag = ?)");
    parameters.push(subject.name);
  }
  return { where: clauses.join(" AND "), parameters };
}
