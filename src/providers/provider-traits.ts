/**
 * What is known about a provider type before its module (and SDK) is loaded: how it is paid for
 * and whether data stays on this machine. The registry needs these to answer without loading an
 * SDK; provider modules use them too, so the facts live in one place.
 */
import type { PricingMode, ProviderRequest, ProviderType } from "./provider.js";

export interface ProviderTraits {
  pricing: PricingMode;
  local: boolean;
  /** What one vendor batch may hold, when not any call of the provider: `model`, one model's calls (Gemini's batch names its model). */
  batchGroup?: "model";
}

export const providerTraits: Record<Exclude<ProviderType, "mock">, ProviderTraits> = {
  openai: { pricing: "metered", local: false },
  openrouter: { pricing: "metered", local: false },
  anthropic: { pricing: "metered", local: false },
  gemini: { pricing: "metered", local: false, batchGroup: "model" },
  ollama: { pricing: "local", local: true },
  // A coding-agent CLI sends the prompt to its vendor; a flat subscription pays for it.
  cli: { pricing: "subscription", local: false },
  // Answers come from a file: nothing leaves the machine. Priced like the recorded model, with
  // synthetic money (its recorded cost), so a replayed run's budgets bind as the recorded run's did.
  replay: { pricing: "metered", local: true },
};

/** `BatchCapability.batchGroupOf` for a provider type, known before its module loads (lazy-provider.ts). */
export function batchGroupOfType(type: ProviderType): ((request: ProviderRequest) => string) | undefined {
  return type !== "mock" && providerTraits[type].batchGroup === "model" ? (request) => request.model : undefined;
}
