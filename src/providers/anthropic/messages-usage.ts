/**
 * Messages API usage → TokenUsage. Anthropic's `input_tokens` counts only the uncached part, so the
 * prompt is input + cache writes + cache reads; reads become `cachedInputTokens`, writes
 * `cacheWriteTokens` (5-minute) and `cacheWrite1hTokens` (1-hour), each billed at its own price.
 * `cache_creation` splits the writes by lifetime; without it (older API versions) every write is a
 * 5-minute write, the default lifetime.
 */
import type { TokenUsage } from "../provider.js";

export interface AnthropicUsageNumbers {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  output_tokens_details?: { thinking_tokens: number } | null;
}

export function tokenUsageOf(usage: AnthropicUsageNumbers): TokenUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const { fiveMinutes, oneHour } = cacheWritesOf(usage);
  const thinking = usage.output_tokens_details?.thinking_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + fiveMinutes + oneHour + cacheRead,
    outputTokens: usage.output_tokens ?? 0,
    ...(cacheRead > 0 ? { cachedInputTokens: cacheRead } : {}),
    ...(fiveMinutes > 0 ? { cacheWriteTokens: fiveMinutes } : {}),
    ...(oneHour > 0 ? { cacheWrite1hTokens: oneHour } : {}),
    ...(thinking > 0 ? { reasoningTokens: thinking } : {}),
  };
}

/**
 * A complete message's usage, or none: the SDK's types promise `usage`, but an answer without it
 * (a batch result, a compatible server) must not be read as zero tokens. Without it the answer is
 * marked, its usage left at zero for the executor to estimate and charge at the worst case.
 */
export function usageOf(message: { usage?: AnthropicUsageNumbers | null }): { usage: TokenUsage; usageMissing?: true } {
  return message.usage == null ? { usage: { inputTokens: 0, outputTokens: 0 }, usageMissing: true } : { usage: tokenUsageOf(message.usage) };
}

/** Cache writes by lifetime; whatever the split leaves out of the total counts as 5-minute writes. */
function cacheWritesOf(usage: AnthropicUsageNumbers): { fiveMinutes: number; oneHour: number } {
  const split = usage.cache_creation;
  const oneHour = split?.ephemeral_1h_input_tokens ?? 0;
  const splitFiveMinutes = split?.ephemeral_5m_input_tokens ?? 0;
  const total = Math.max(usage.cache_creation_input_tokens ?? 0, splitFiveMinutes + oneHour);
  return { fiveMinutes: total - oneHour, oneHour };
}

/** message_delta carries cumulative counts; fields it leaves null keep message_start's value. */
export function mergeUsage(base: AnthropicUsageNumbers, update: AnthropicUsageNumbers): AnthropicUsageNumbers {
  const merged: AnthropicUsageNumbers = { ...base };
  for (const [field, value] of Object.entries(update) as Array<[keyof AnthropicUsageNumbers, unknown]>) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[field] = value;
  }
  return merged;
}
