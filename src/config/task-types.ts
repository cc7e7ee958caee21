import type { RoutingPolicy } from "../generated/routing-policy.js";

/** Task types every policy knows; a policy adds its own under `tasks`. */
export const builtInTaskTypes: readonly string[] = ["code", "writing", "analysis", "docs", "edit", "chat"];

/** The built-in task types followed by the ones the policy declares. */
export function taskTypesOf(policy: Pick<RoutingPolicy, "tasks">): string[] {
  return [...new Set([...builtInTaskTypes, ...(policy.tasks ?? [])])];
}
