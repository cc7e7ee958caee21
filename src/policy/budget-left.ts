/**
 * Reading money left from the routing state: per scope, the smallest across scopes, and whether
 * emergency mode is on. A scope without a limit is absent from the state and never the smallest.
 */
import type { Budget } from "../generated/routing-policy.js";
import type { BudgetScope, EmergencyMode, RoutingState } from "./decision.js";

export const budgetScopes: readonly BudgetScope[] = ["run", "day", "month"];

export interface MoneyLeft {
  scope: BudgetScope;
  leftUsd: number;
}

/** The scope with the least money left, or undefined when no scope has a limit. */
export function smallestLeft(budgetLeftUsd: RoutingState["budgetLeftUsd"]): MoneyLeft | undefined {
  let smallest: MoneyLeft | undefined;
  for (const scope of budgetScopes) {
    const leftUsd = budgetLeftUsd[scope];
    if (leftUsd === undefined) continue;
    if (!smallest || leftUsd < smallest.leftUsd) smallest = { scope, leftUsd };
  }
  return smallest;
}

/** Money left in one scope, or in the tightest one for `any`; undefined when unlimited. */
export function moneyLeft(budgetLeftUsd: RoutingState["budgetLeftUsd"], scope: BudgetScope | "any"): MoneyLeft | undefined {
  if (scope === "any") return smallestLeft(budgetLeftUsd);
  const leftUsd = budgetLeftUsd[scope];
  return leftUsd === undefined ? undefined : { scope, leftUsd };
}

/**
 * Emergency mode is on when a scope's money left is under its threshold: one number applies to
 * the tightest scope, an object to each scope it names. Reports the first scope found under.
 */
export function emergencyMode(budget: Budget | undefined, budgetLeftUsd: RoutingState["budgetLeftUsd"]): EmergencyMode | undefined {
  const threshold = budget?.emergency_below_usd;
  if (threshold === undefined) return undefined;
  if (typeof threshold === "number") {
    const tightest = smallestLeft(budgetLeftUsd);
    if (tightest && tightest.leftUsd < threshold) return { ...tightest, thresholdUsd: threshold };
    return undefined;
  }
  for (const scope of budgetScopes) {
    const thresholdUsd = threshold[scope];
    const leftUsd = budgetLeftUsd[scope];
    if (thresholdUsd !== undefined && leftUsd !== undefined && leftUsd < thresholdUsd) return { scope, leftUsd, thresholdUsd };
  }
  return undefined;
}
