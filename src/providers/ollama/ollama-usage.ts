/**
 * Ollama's counts → TokenUsage. `prompt_eval_count` can be missing when the whole prompt was
 * reused from the model's cache; the estimate stands in then.
 */
import type { ChatMessage, TokenUsage } from "../provider.js";
import { estimatePromptTokens, estimateTokens } from "../shared/token-estimate.js";

export function tokenUsageOf(
  counts: { prompt_eval_count?: number; eval_count?: number },
  messages: readonly ChatMessage[],
  text: string,
): TokenUsage {
  return {
    inputTokens: counts.prompt_eval_count ?? estimatePromptTokens(messages),
    outputTokens: counts.eval_count ?? estimateTokens(text),
  };
}
