/**
 * The `openrouter` provider: OpenRouter through the openai SDK. OpenRouter reports what it charged
 * in `usage.cost` (USD), which becomes the recorded cost; its docs mark the old
 * `usage: {include: true}` switch deprecated (usage always comes), so it is not sent.
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { HttpApiProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import { createOpenAiCompatibleProvider } from "../openai/openai-compatible-provider.js";
import type { ProbingProvider } from "../probe.js";

export const openRouterDefaultBaseUrl = "https://openrouter.ai/api/v1";

/** App attribution headers (OpenRouter's docs); `X-Title` is the older name of the title header. */
const attributionHeaders = { "X-OpenRouter-Title": "orch", "X-Title": "orch" };

function reportedCostOf(usage: CompletionUsage): number | undefined {
  const cost = (usage as CompletionUsage & { cost?: unknown }).cost;
  return typeof cost === "number" && Number.isFinite(cost) ? cost : undefined;
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
