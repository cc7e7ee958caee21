/**
 * A provider that exists before its module is loaded: `id`, `type`, `pricing` and `local` are
 * known from the settings, and the real provider is created on the first call, availability check
 * or probe.
 */
import { canProbe, type ProbeResult, type ProbingProvider } from "./probe.js";
import type { BatchCapability, PricingMode, Provider, ProviderType } from "./provider.js";
import { batchGroupOfType } from "./provider-traits.js";

/** Provider types whose module offers the vendor's batch API. */
const batchingTypes: ReadonlySet<ProviderType> = new Set(["openai", "anthropic", "gemini"]);

export function lazyProvider(
  identity: { id: string; type: ProviderType; pricing: PricingMode; local: boolean },
  load: () => Promise<Provider>,
): ProbingProvider {
  let loading: Promise<Provider> | undefined;
  const loaded = (): Promise<Provider> => (loading ??= load());
  const batchOf = async (): Promise<BatchCapability> => {
    const batch = (await loaded()).batch;
    if (batch === undefined) throw new Error(`provider "${identity.id}" has no batch API`);
    return batch;
  };
  const batchGroupOf = batchGroupOfType(identity.type);
  return {
    ...identity,
    ...(batchingTypes.has(identity.type)
      ? {
          batch: {
            // Asked before the first submission, so known without loading the module.
            ...(batchGroupOf === undefined ? {} : { batchGroupOf }),
            submit: async (entries, signal) => (await batchOf()).submit(entries, signal),
            poll: async (id, signal) => (await batchOf()).poll(id, signal),
          },
        }
      : {}),
    call: async (request, signal, gate) => (await loaded()).call(request, signal, gate),
    available: async (model) => (await loaded()).available(model),
    async probe(signal): Promise<ProbeResult> {
      const provider = await loaded();
      if (canProbe(provider)) return provider.probe(signal);
      // Providers without a server (cli, replay, mock) are as reachable as they are available.
      const availability = await provider.available();
      return {
        reachable: availability.available,
        ...(availability.reason === undefined ? {} : { reason: availability.reason }),
        ...(availability.models === undefined ? {} : { models: availability.models }),
      };
    },
    async close() {
      if (loading !== undefined) await (await loading).close?.();
    },
  };
}
