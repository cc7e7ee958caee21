/**
 * Which models a policy can send work to, by provider: every alias in `models` (a step may pin
 * one) and every `provider:model` written directly in tiers and rules.
 */
import type { Prices, RoutingPolicy } from "../generated/routing-policy.js";
import { splitModelTarget } from "../policy/model-ref.js";

export function modelsUsedByPolicy(policy: RoutingPolicy): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (target: string): void => {
    const split = splitModelTarget(target);
    if (split === undefined) return;
    const models = used.get(split.provider) ?? new Set<string>();
    models.add(split.model);
    used.set(split.provider, models);
  };
  for (const entry of Object.values(policy.models)) add(typeof entry === "string" ? entry : entry.model);
  const chains = [...Object.values(policy.tiers), ...(policy.rules ?? []).map((rule) => rule.use)];
  for (const chain of chains) {
    if (Array.isArray(chain)) for (const reference of chain) if (reference.includes(":")) add(reference);
  }
  return used;
}

/** The policy's own prices for `provider:model`, when an alias gives them. */
export function policyPricesOf(policy: RoutingPolicy, provider: string, model: string): Prices | undefined {
  for (const entry of Object.values(policy.models)) {
    if (typeof entry !== "string" && entry.model === `${provider}:${model}` && entry.prices !== undefined) return entry.prices;
  }
  return undefined;
}
