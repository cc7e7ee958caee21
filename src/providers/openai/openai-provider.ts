/** The `openai` provider: OpenAI's chat completions, or any compatible server through `base_url`. */
import type { HttpApiProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import type { ProbingProvider } from "../probe.js";
import type { MaxTokensField } from "./chat-request.js";
import { createOpenAiCompatibleProvider } from "./openai-compatible-provider.js";

export const openAiDefaultBaseUrl = "https://api.openai.com/v1";

/**
 * OpenAI's current models need `max_completion_tokens` (o-series and later reject `max_tokens`);
 * OpenAI-compatible servers (vLLM, LM Studio, llama.cpp, proxies) reliably know `max_tokens`.
 */
export function maxTokensFieldFor(baseUrl: string | undefined): MaxTokensField {
  return baseUrl === undefined || new URL(baseUrl).hostname === "api.openai.com" ? "max_completion_tokens" : "max_tokens";
}

export function createOpenAiProvider(id: string, settings: HttpApiProvider, context: ProviderContext): ProbingProvider {
  return createOpenAiCompatibleProvider({
    id,
    type: "openai",
    settings,
    context,
    defaultBaseUrl: openAiDefaultBaseUrl,
    maxTokensField: maxTokensFieldFor(settings.base_url),
  });
}
