/** ProviderRequest → chat-completions request body. */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { ProviderRequest } from "../provider.js";

/**
 * `max_completion_tokens` is what OpenAI documents now (o-series and later models reject
 * `max_tokens`); many OpenAI-compatible servers and OpenRouter still read `max_tokens`.
 */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

export function buildChatBody(request: ProviderRequest, maxTokensField: MaxTokensField): ChatCompletionCreateParamsBase {
  return {
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    [maxTokensField]: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.json === true ? { response_format: { type: "json_object" as const } } : {}),
  };
}
