/** Prices per provider and model: the policy's `prices:` first, then the maintained price table. */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import type { ModelPrices } from "../policy/decision.js";
import { resolveModelReference } from "../policy/model-ref.js";
import { findPrices } from "../providers/pricing.js";

export function createPriceLookup(policy: RoutingPolicy): (provider: string, model: string) => ModelPrices | undefined {
  const overrides = new Map<string, { input: number; output: number; cached_input?: number }>();
  for (const alias of Object.keys(policy.models)) {
    const resolution = resolveModelReference(policy, alias);
    if (resolution.ok && resolution.model.prices) overrides.set(`${resolution.model.provider}:${resolution.model.model}`, resolution.model.prices);
  }
  const cache = new Map<string, ModelPrices | undefined>();
  return (provider, model) => {
    const key = `${provider}:${model}`;
    if (!cache.has(key)) {
      const type = policy.providers[provider]?.type;
      cache.set(key, type === undefined ? undefined : findPrices(type, model, overrides.get(key)));
    }
    return cache.get(key);
  };
}
