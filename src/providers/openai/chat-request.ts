/** ProviderRequest → chat-completions request body. */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import { capabilitiesOf } from "../model-capabilities.js";
import { smallestCacheablePrefixTokens } from "../prompt-cache.js";
import type { ProviderRequest, ProviderType } from "../provider.js";
import { estimatePromptTokens } from "../shared/token-estimate.js";

/**
 * `max_completion_tokens` is what OpenAI documents now (o-series and later models reject
 * `max_tokens`); many OpenAI-compatible servers and OpenRouter still read `max_tokens`.
 */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

/**
 * The body for `providerType`'s API. A model the capability table knows refuses `temperature` is
 * sent none, and one that refuses `max_tokens` gets `max_completion_tokens` whatever the server
 * (an Azure or proxy deployment of a reasoning model refuses it as OpenAI does).
 *
 * OpenAI caches prompts of 1,024 tokens or more by itself; `prompt_cache_key` (the pipeline and
 * step) sends calls that share a prefix to the same cache. It goes to OpenAI only, and only with a
 * prompt long enough to be cached: OpenAI-compatible servers may refuse a field they do not know.
 */
export function buildChatBody(request: ProviderRequest, maxTokensField: MaxTokensField, providerType: ProviderType): ChatCompletionCreateParamsBase {
  const capabilities = capabilitiesOf(providerType, request.model);
  const sendsTemperature = request.temperature !== undefined && !capabilities.refuses.has("temperature");
  return {
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    [capabilities.outputCapField ?? maxTokensField]: request.maxTokens,
    ...(sendsTemperature ? { temperature: request.temperature } : {}),
    ...(request.json === true ? { response_format: { type: "json_object" as const } } : {}),
    ...(sendsCacheKey(request, providerType) ? { prompt_cache_key: request.promptCache!.key } : {}),
  };
}

function sendsCacheKey(request: ProviderRequest, providerType: ProviderType): boolean {
  return providerType === "openai" && request.promptCache !== undefined && estimatePromptTokens(request.messages) >= smallestCacheablePrefixTokens;
}
