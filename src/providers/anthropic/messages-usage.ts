/**
 * Messages API usage → TokenUsage. Anthropic's `input_tokens` counts only the uncached part, so the
 * prompt is input + cache writes + cache reads; reads become `cachedInputTokens`. Cache writes are
 * billed above the input price and TokenUsage has no field for them: they count as plain input.
 */
import type { TokenUsage } from "../provider.js";

export interface AnthropicUsageNumbers {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens: number } | null;
}

export function tokenUsageOf(usage: AnthropicUsageNumbers): TokenUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const thinking = usage.output_tokens_details?.thinking_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + cacheRead,
    outputTokens: usage.output_tokens ?? 0,
    ...(cacheRead > 0 ? { cachedInputTokens: cacheRead } : {}),
    ...(thinking > 0 ? { reasoningTokens: thinking } : {}),
  };
}

/** message_delta carries cumulative counts; fields it leaves null keep message_start's value. */
export function mergeUsage(base: AnthropicUsageNumbers, update: AnthropicUsageNumbers): AnthropicUsageNumbers {
  const merged: AnthropicUsageNumbers = { ...base };
  for (const [field, value] of Object.entries(update) as Array<[keyof AnthropicUsageNumbers, unknown]>) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[field] = value;
  }
  return merged;
}
