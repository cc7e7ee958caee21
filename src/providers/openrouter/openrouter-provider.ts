/**
 * The `openrouter` provider: OpenRouter through the openai SDK. OpenRouter reports what it charged
 * in `usage.cost` (USD), which becomes the recorded cost; its docs mark the old
 * `usage: {include: true}` switch deprecated (usage always comes), so it is not sent.
 * With BYOK (the user's own upstream key), `usage.cost` is only OpenRouter's fee: the upstream
 * provider bills `usage.cost_details.upstream_inference_cost` to that key, so the call's true cost
 * is the sum of both.
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { HttpApiProvider } from "../../generated/routing-policy.js";
import { addUsd } from "../../money/nano.js";
import type { ProviderContext } from "../context.js";
import { createOpenAiCompatibleProvider } from "../openai/openai-compatible-provider.js";
import type { ProbingProvider } from "../probe.js";

export const openRouterDefaultBaseUrl = "https://openrouter.ai/api/v1";

/** App attribution headers (OpenRouter's docs); `X-Title` is the older name of the title header. */
const attributionHeaders = { "X-OpenRouter-Title": "orch", "X-Title": "orch" };

type OpenRouterUsage = CompletionUsage & { cost?: unknown; cost_details?: { upstream_inference_cost?: unknown } | null };

function reportedCostOf(usage: CompletionUsage): number | undefined {
  const { cost, cost_details: details } = usage as OpenRouterUsage;
  if (!isAmount(cost)) return undefined;
  const upstream = details?.upstream_inference_cost;
  return isAmount(upstream) ? addUsd(cost, upstream) : cost;
}

function isAmount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export function createOpenRouterProvider(id: string, settings: HttpApiProvider, context: ProviderContext): ProbingProvider {
  return createOpenAiCompatibleProvider({
    id,
    type: "openrouter",
    settings,
    context,
    defaultBaseUrl: openRouterDefaultBaseUrl,
    defaultHeaders: attributionHeaders,
    maxTokensField: "max_tokens",
    reportedCostOf,
  });
}
