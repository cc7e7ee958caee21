/**
 * What is known about a provider type before its module (and SDK) is loaded: how it is paid for
 * and whether data stays on this machine. The registry needs these to answer without loading an
 * SDK; provider modules use them too, so the facts live in one place.
 */
import type { PricingMode, ProviderType } from "./provider.js";

export interface ProviderTraits {
  pricing: PricingMode;
  local: boolean;
}

export const providerTraits: Record<Exclude<ProviderType, "mock">, ProviderTraits> = {
  openai: { pricing: "metered", local: false },
  openrouter: { pricing: "metered", local: false },
  anthropic: { pricing: "metered", local: false },
  gemini: { pricing: "metered", local: false },
  ollama: { pricing: "local", local: true },
  // A coding-agent CLI sends the prompt to its vendor; a flat subscription pays for it.
  cli: { pricing: "subscription", local: false },
  // Answers come from a file: nothing leaves the machine. Priced like the recorded model, with
  // synthetic money (its recorded cost), so a replayed run's budgets bind as the recorded run's did.
  replay: { pricing: "metered", local: true },
};
