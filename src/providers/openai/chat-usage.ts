/** Chat-completions usage → TokenUsage. Reasoning tokens are already inside `completion_tokens`. */
import type { CompletionUsage } from "openai/resources/completions";
import type { TokenUsage } from "../provider.js";

export function tokenUsageOf(usage: CompletionUsage): TokenUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
    ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
  };
}
