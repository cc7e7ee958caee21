/** Prices per provider and model: the policy's `prices:` first, then the maintained price table. */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import type { ModelPrices } from "../policy/decision.js";
import { policyPricesOf } from "../providers/policy-models.js";
import { findPrices } from "../providers/price-table.js";

export function createPriceLookup(policy: RoutingPolicy): (provider: string, model: string) => ModelPrices | undefined {
  const cache = new Map<string, ModelPrices | undefined>();
  return (provider, model) => {
    const key = `${provider}:${model}`;
    if (!cache.has(key)) {
      const type = policy.providers[provider]?.type;
      cache.set(key, type === undefined ? undefined : findPrices(type, model, policyPricesOf(policy, provider, model)));
    }
    return cache.get(key);
  };
}
