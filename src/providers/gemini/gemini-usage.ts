/**
 * usageMetadata → TokenUsage. `promptTokenCount` already includes `cachedContentTokenCount`;
 * `thoughtsTokenCount` is counted apart from `candidatesTokenCount` but billed as output, so it is
 * added to outputTokens.
 */
import type { GenerateContentResponseUsageMetadata } from "@google/genai";
import type { TokenUsage } from "../provider.js";

export function tokenUsageOf(usage: GenerateContentResponseUsageMetadata): TokenUsage {
  const cached = usage.cachedContentTokenCount ?? 0;
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    inputTokens: usage.promptTokenCount ?? 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
    ...(thoughts > 0 ? { reasoningTokens: thoughts } : {}),
  };
}
