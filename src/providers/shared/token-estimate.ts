/**
 * Token estimates for when an API never said: a broken stream, a server that omits usage, a CLI
 * that prints no counts. The router's own estimator (loaded on first use); real counts always win.
 */
import { estimatePromptTokens, estimateTokens } from "../../policy/estimate-tokens.js";
import type { ChatMessage, TokenUsage } from "../provider.js";

export { estimatePromptTokens, estimateTokens };

/** Usage for a call that ended early: reported numbers where we have them, estimates elsewhere. */
export function partialUsage(
  messages: readonly ChatMessage[],
  textReceived: string,
  reported: Partial<TokenUsage> = {},
): TokenUsage {
  return {
    ...reported,
    inputTokens: reported.inputTokens ?? estimatePromptTokens(messages),
    // Output already reported may lag the text received (Anthropic reports at the end): take the larger.
    outputTokens: Math.max(reported.outputTokens ?? 0, estimateTokens(textReceived)),
  };
}
