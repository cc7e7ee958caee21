/**
 * ProviderRequest → Messages API body. System messages go to the separate `system` field, as the
 * API requires. `json` is not sent: Anthropic's structured output needs a schema we do not have;
 * orch validates JSON output itself.
 */
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import type { ProviderRequest } from "../provider.js";
import { splitSystemPrompt } from "../shared/chat-messages.js";

export function buildMessagesBody(request: ProviderRequest): MessageCreateParamsBase {
  const chat = splitSystemPrompt(request.messages);
  return {
    model: request.model,
    max_tokens: request.maxTokens,
    messages: chat.turns,
    ...(chat.system === undefined ? {} : { system: chat.system }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
}
