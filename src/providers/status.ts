/**
 * `orch providers`: for each provider of a policy, whether its key is set (never its value),
 * whether it answers, which models the policy routes to it and whether each is usable. Probes run
 * in parallel, each bounded by a timeout, and cost nothing (they list models).
 */
import type { HttpApiProvider, RoutingPolicy } from "../generated/routing-policy.js";
import type { ProviderContext } from "./context.js";
import { findPrices } from "./price-table.js";
import { modelsUsedByPolicy, policyPricesOf } from "./policy-models.js";
import { createProviderRegistry } from "./registry.js";
import type { PricingMode, ProviderType } from "./provider.js";
import type { ProbeResult } from "./probe.js";
import { missingKeyReason, resolveApiKey } from "./shared/api-key.js";
import { normaliseModelName } from "./ollama/model-name.js";

export interface ModelStatus {
  model: string;
  usable: boolean;
  reason?: string;
}

export interface ProviderStatus {
  id: string;
  type: ProviderType;
  pricing: PricingMode;
  local: boolean;
  /** The variable that holds the key, for providers that need one; never its value. */
  keyVariable?: string;
  keySet?: boolean;
  reachable: boolean;
  /** Why the provider is not reachable or not usable, in words a user can act on. */
  reason?: string;
  /** Models the server lists; for Ollama, the pulled models. */
  serverModels?: string[];
  /** The models the policy routes to this provider. */
  models: ModelStatus[];
  /** The policy routes at least one model here. */
  neededByPolicy: boolean;
  /** Set when repeated transient failures (of any process) make runs pass the provider over until then (ISO). */
  coolingDownUntil?: string;
  /** Reachable, and every model the policy routes here is usable. */
  usable: boolean;
}

const httpTypes = new Set<ProviderType>(["openai", "openrouter", "anthropic", "gemini"]);
const defaultProbeTimeoutMs = 10_000;

function modelStatus(type: ProviderType, settings: RoutingPolicy["providers"][string], model: string, policyPrices: ReturnType<typeof policyPricesOf>, reachable: boolean, serverModels: string[] | undefined): ModelStatus {
  if (!reachable) return { model, usable: false, reason: "the provider is not reachable" };
  if (type === "ollama" && serverModels !== undefined && !serverModels.includes(normaliseModelName(model))) {
    return "pull" in settings && settings.pull === true
      ? { model, usable: true, reason: "not pulled yet; it will be pulled before the first call" }
      : { model, usable: false, reason: `not pulled; run \`ollama pull ${model}\` or set \`pull: true\`` };
  }
  if (httpTypes.has(type) && findPrices(type, model, policyPrices) === undefined) {
    return { model, usable: false, reason: "no known price: add `prices:` (USD per million tokens) to its alias in `models`" };
  }
  return { model, usable: true };
}

export async function checkProviders(policy: RoutingPolicy, context: ProviderContext, options: { timeoutMs?: number } = {}): Promise<ProviderStatus[]> {
  const registry = createProviderRegistry(policy, context);
  const used = modelsUsedByPolicy(policy);
  try {
    return await Promise.all(
      Object.entries(policy.providers).map(async ([id, settings]): Promise<ProviderStatus> => {
        const provider = registry.get(id);
        const key = httpTypes.has(settings.type)
          ? resolveApiKey(settings.type as "openai" | "openrouter" | "anthropic" | "gemini", settings as HttpApiProvider, context)
          : undefined;
        // Without a key there is nothing to ask the server (and no SDK worth loading).
        const probe: ProbeResult =
          key !== undefined && key.value === undefined
            ? { reachable: false, reason: missingKeyReason(key.variable) }
            : await provider
                .probe(AbortSignal.timeout(options.timeoutMs ?? defaultProbeTimeoutMs))
                .catch((error: unknown) => ({ reachable: false, reason: error instanceof Error ? error.message : String(error) }));
        const models = [...(used.get(id) ?? [])]
          .sort()
          .map((model) => modelStatus(settings.type, settings, model, policyPricesOf(policy, id, model), probe.reachable, probe.models));
        const firstUnusable = models.find((model) => !model.usable);
        const usable = probe.reachable && firstUnusable === undefined;
        const reason = probe.reason ?? (firstUnusable === undefined ? undefined : `${firstUnusable.model}: ${firstUnusable.reason}`);
        return {
          id,
          type: settings.type,
          pricing: provider.pricing,
          local: provider.local,
          ...(key === undefined ? {} : { keyVariable: key.variable, keySet: key.value !== undefined }),
          reachable: probe.reachable,
          ...(reason === undefined ? {} : { reason }),
          // HTTP vendors list hundreds of models; only Ollama's (pulled) list is worth showing.
          ...(settings.type === "ollama" && probe.models !== undefined ? { serverModels: probe.models } : {}),
          models,
          neededByPolicy: models.length > 0,
          usable,
        };
      }),
    );
  } finally {
    await registry.close();
  }
}
