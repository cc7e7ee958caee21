/** ProviderRequest → chat-completions request body. */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import { capabilitiesOf } from "../model-capabilities.js";
import type { ProviderRequest, ProviderType } from "../provider.js";

/**
 * `max_completion_tokens` is what OpenAI documents now (o-series and later models reject
 * `max_tokens`); many OpenAI-compatible servers and OpenRouter still read `max_tokens`.
 */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

/**
 * The body for `providerType`'s API. A model the capability table knows refuses `temperature` is
 * sent none, and one that refuses `max_tokens` gets `max_completion_tokens` whatever the server
 * (an Azure or proxy deployment of a reasoning model refuses it as OpenAI does).
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
  };
}
