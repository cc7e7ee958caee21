import type { ProviderState } from "../policy/decision.js";
import type { ProviderSet } from "./run-pipeline.js";

/** Asks every provider whether it can be used now; the answers feed the routing decision. */
export async function providerStatesOf(providers: ProviderSet): Promise<Record<string, ProviderState>> {
  const entries = await Promise.all(
    providers.all().map(async (provider): Promise<[string, ProviderState]> => {
      const availability = await provider.available().catch((error: unknown) => ({ available: false, reason: (error as Error).message }));
      return [
        provider.id,
        {
          available: availability.available,
          ...(availability.reason === undefined ? {} : { reason: availability.reason }),
          local: provider.local,
          pricing: provider.pricing,
          ...(provider.type === "mock" || provider.type === "replay" ? { synthetic: true } : {}),
          // Anthropic writes its prompt cache when orch marks a prefix, at 1.25× or 2× input (prompt-cache.ts).
          ...(provider.type === "anthropic" ? { writesPromptCache: true } : {}),
          ...(provider.batch === undefined ? {} : { batches: true }),
        },
      ];
    }),
  );
  return Object.fromEntries(entries);
}
