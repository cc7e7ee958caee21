/**
 * ProviderRequest → Messages API body. System messages go to the separate `system` field, as the
 * API requires. `json` is not sent: Anthropic's structured output needs a schema we do not have;
 * orch validates JSON output itself. `temperature` is left out for the models that refuse it
 * (model-capabilities.ts): the API's default is what they would use anyway.
 *
 * Prompt caching: when the request asks for it and its stable prefix reaches the model's minimum
 * (prompt-cache.ts), the block that ends the prefix carries `cache_control: { type: "ephemeral" }`
 * (with `ttl: "1h"` for the hour-long lifetime). One breakpoint caches everything before it.
 */
import type { MessageCreateParamsBase, TextBlockParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { capabilitiesOf } from "../model-capabilities.js";
import { anthropicCachedPrefix, type StablePrefix } from "../prompt-cache.js";
import type { ChatMessage, ProviderRequest } from "../provider.js";

/** `apiVersion` is the `anthropic-version` the request goes out with (model-capabilities.ts). */
export function buildMessagesBody(request: ProviderRequest, apiVersion: string): MessageCreateParamsBase {
  const sendsTemperature = request.temperature !== undefined && !capabilitiesOf("anthropic", request.model, apiVersion).refuses.has("temperature");
  const prefix = request.promptCache === undefined ? undefined : anthropicCachedPrefix(request.messages, request.model);
  const cacheControl = { type: "ephemeral" as const, ...(request.promptCache?.ttl === "1h" ? { ttl: "1h" as const } : {}) };
  const blocksOf = (message: ChatMessage, index: number): TextBlockParam[] => {
    if (prefix === undefined || index !== prefix.message) return [{ type: "text", text: message.content }];
    return splitAtPrefix(message.content, prefix).map((text, part) => ({ type: "text", text, ...(part === 0 ? { cache_control: cacheControl } : {}) }));
  };
  const system: TextBlockParam[] = [];
  const messages: MessageCreateParamsBase["messages"] = [];
  request.messages.forEach((message, index) => {
    if (message.role === "system") system.push(...blocksOf(message, index));
    // Unmarked turns stay plain strings, as before prompt caching.
    else messages.push({ role: message.role, content: prefix?.message === index ? blocksOf(message, index) : message.content });
  });
  return {
    model: request.model,
    max_tokens: request.maxTokens,
    messages,
    ...systemField(system, prefix !== undefined),
    ...(sendsTemperature ? { temperature: request.temperature } : {}),
  };
}

/** The stable part and the rest (left out when empty: the API refuses an empty text block). */
function splitAtPrefix(content: string, prefix: StablePrefix): string[] {
  const rest = content.slice(prefix.chars);
  return rest === "" ? [content.slice(0, prefix.chars)] : [content.slice(0, prefix.chars), rest];
}

/**
 * Unmarked, the system prompts go as one string, as before prompt caching; marked, as text blocks
 * (one may carry `cache_control`), leaving out empty ones, which the API refuses.
 */
function systemField(blocks: TextBlockParam[], marked: boolean): Pick<MessageCreateParamsBase, "system"> {
  if (blocks.length === 0) return {};
  if (!marked) return { system: blocks.map((block) => block.text).join("\n\n") };
  const kept = blocks.filter((block) => block.text !== "");
  return kept.length === 0 ? {} : { system: kept };
}
