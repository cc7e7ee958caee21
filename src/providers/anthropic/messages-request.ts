/**
 * ProviderRequest → Messages API body. System messages go to the separate `system` field, as the
 * API requires. `json` is not sent: Anthropic's structured output needs a schema we do not have;
 * orch validates JSON output itself. `temperature` is left out for the models that refuse it
 * (model-capabilities.ts): the API's default is what they would use anyway.
 */
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import { capabilitiesOf } from "../model-capabilities.js";
import type { ProviderRequest } from "../provider.js";
import { splitSystemPrompt } from "../shared/chat-messages.js";

/** `apiVersion` is the `anthropic-version` the request goes out with (model-capabilities.ts). */
export function buildMessagesBody(request: ProviderRequest, apiVersion: string): MessageCreateParamsBase {
  const chat = splitSystemPrompt(request.messages);
  const sendsTemperature = request.temperature !== undefined && !capabilitiesOf("anthropic", request.model, apiVersion).refuses.has("temperature");
  return {
    model: request.model,
    max_tokens: request.maxTokens,
    messages: chat.turns,
    ...(chat.system === undefined ? {} : { system: chat.system }),
    ...(sendsTemperature ? { temperature: request.temperature } : {}),
  };
}
