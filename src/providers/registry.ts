/**
 * The providers of a policy, created lazily and wrapped with their limits, timeout and retries
 * (`max_concurrency`, `rpm`, `tpm`, `timeout_seconds`, `max_retries`). One registry per run: the
 * limiters live in it, so all steps of the run share each provider's limits.
 */
import type { MockProvider, RoutingPolicy } from "../generated/routing-policy.js";
import type { ProviderContext } from "./context.js";
import { createProvider } from "./create-provider.js";
import { lazyProvider } from "./lazy-provider.js";
import { createMockProvider } from "./mock/mock-provider.js";
import { policyPricesOf } from "./policy-models.js";
import { nanoToUsd } from "../money/nano.js";
import { findPrices } from "./price-table.js";
import { batchPrices, billNano } from "./pricing.js";
import type { ProbingProvider } from "./probe.js";
import { ProviderError } from "./provider-error.js";
import { providerTraits } from "./provider-traits.js";
import type { Provider, ProviderType } from "./provider.js";
import { createRecordingProvider, type AnswerCost, type RecordingOptions } from "./replay/recording-provider.js";
import { withResilience } from "./resilience/resilient-provider.js";

export interface ProviderRegistry {
  /** The provider named `id` in the policy; throws ProviderError `unavailable` for an unknown id. */
  get(id: string): ProbingProvider;
  all(): ProbingProvider[];
  /** Closes every provider that was used (stops Ollama pulls, flushes what needs flushing). */
  close(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * `--record FILE`: every answer is appended to this JSONL recording, for `replay` providers. The
   * recorder sits under the retries, so each line is one answered attempt with its own usage and cost.
   */
  recordTo?: string;
  /** Scrubs secrets from recorded answers (the run's redactor). */
  redact?: (text: string) => string;
}

export function createProviderRegistry(policy: RoutingPolicy, context: ProviderContext, options: RegistryOptions = {}): ProviderRegistry {
  const created = new Map<string, ProbingProvider>();

  function get(id: string): ProbingProvider {
    const existing = created.get(id);
    if (existing !== undefined) return existing;
    const settings = Object.hasOwn(policy.providers, id) ? policy.providers[id] : undefined;
    if (settings === undefined) {
      throw new ProviderError({
        kind: "unavailable",
        retryable: false,
        provider: id,
        message: `no provider named "${id}" in the policy (known: ${Object.keys(policy.providers).join(", ")})`,
      });
    }
    const type: ProviderType = settings.type;
    // The mock has no SDK to defer, so it is made at once and its own traits are used as they are.
    let inner: ProbingProvider;
    if (type === "mock") {
      const mock = createMockProvider(id, settings as MockProvider, context);
      inner = lazyProvider({ id, type, pricing: mock.pricing, local: mock.local }, async () => mock);
    } else {
      inner = lazyProvider({ id, type, ...providerTraits[type] }, () => createProvider(id, settings, context));
    }
    if (options.recordTo !== undefined) inner = recorded(inner, options.recordTo, { costOf: answerCost(policy, id, type, inner.pricing), ...(options.redact ? { redact: options.redact } : {}) });
    const provider = withResilience(inner, settings, context) as ProbingProvider;
    created.set(id, provider);
    return provider;
  }

  return {
    get,
    all: () => Object.keys(policy.providers).map(get),
    async close() {
      const results = await Promise.allSettled([...created.values()].map((provider: Provider) => provider.close?.()));
      const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failure !== undefined) throw failure.reason;
    },
  };
}

function recorded(inner: ProbingProvider, file: string, options: RecordingOptions): ProbingProvider {
  return { ...createRecordingProvider(inner, file, options), probe: (signal: AbortSignal) => inner.probe(signal) };
}

/** An answer's cost as the executor bills it: the provider's reported cost, else the model's prices; $0 when not metered. */
function answerCost(policy: RoutingPolicy, id: string, type: ProviderType, pricing: Provider["pricing"]): AnswerCost {
  return (model, response, batched) => {
    if (pricing !== "metered") return 0;
    const listed = findPrices(type, model, policyPricesOf(policy, id, model));
    if (listed === undefined && response.reportedCostUsd === undefined) return undefined;
    const prices = listed !== undefined && batched ? batchPrices(listed) : listed;
    return nanoToUsd(billNano(response.usage, prices, response.reportedCostUsd));
  };
}
