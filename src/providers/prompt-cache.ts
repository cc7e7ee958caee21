/**
 * Provider prompt caching: where a call's stable prefix ends, and when a vendor caches it.
 *
 * - Anthropic caches only what a request marks with `cache_control`, and only a prefix at least as
 *   long as the model's minimum; a write costs 1.25× input (5 minutes) or 2× (1 hour), a read 0.1×.
 *   orch marks the end of the stable prefix (ChatMessage.stableChars) when orch's estimate of it
 *   reaches the model's minimum, so a reservation must hold the write premium for those tokens.
 * - OpenAI and Gemini cache long identical prefixes by themselves (from 1,024 tokens); writes cost
 *   nothing extra, reads are billed at the cached price. orch only puts the stable part first and,
 *   for OpenAI, sends `prompt_cache_key` so calls sharing a prefix reach the same cache.
 *
 * Pure: the policy engine (worst cases), the providers (request bodies) and the fake server use it.
 */
import { estimateTokens, framingTokensPerMessage, inputTokenBound } from "../policy/estimate-tokens.js";
import type { ChatMessage } from "./provider.js";

/**
 * Anthropic's minimum cacheable prompt length per model family, from "Prompt caching" in Anthropic's
 * documentation (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching, "Cache
 * limitations"): a shorter marked prefix is processed, and billed, without caching. First match wins.
 */
const anthropicMinimumTokens: ReadonlyArray<[RegExp, number]> = [
  [/opus-4-[5-9]|opus-4\.[5-9]|haiku-4/, 4096],
  [/sonnet-4-[6-9]|sonnet-4\.[6-9]|haiku-3|3(-5)?-haiku/, 2048],
];

/** The fewest prompt tokens any vendor caches (Anthropic's most models, OpenAI, Gemini Flash). */
export const smallestCacheablePrefixTokens = 1024;

/** The shortest prefix Anthropic caches for `model` (1,024 tokens unless the documentation says more). */
export function anthropicMinimumCacheableTokens(model: string): number {
  return anthropicMinimumTokens.find(([pattern]) => pattern.test(model))?.[1] ?? smallestCacheablePrefixTokens;
}

/** The stable prefix of a chat: up to `chars` characters into message `message`. */
export interface StablePrefix {
  message: number;
  chars: number;
  /** The prefix's texts, message by message. */
  texts: string[];
}

/** Where the last stable part ends (see ChatMessage.stableChars), or undefined when nothing is stable. */
export function stablePrefixOf(messages: readonly ChatMessage[]): StablePrefix | undefined {
  let found: StablePrefix | undefined;
  for (const [index, message] of messages.entries()) {
    // An empty message is the same for every call, whatever it was rendered from.
    if (message.content === "") continue;
    const chars = message.stableChars ?? 0;
    if (chars <= 0) break;
    found = { message: index, chars: Math.min(chars, message.content.length), texts: [...(found?.texts ?? []), message.content.slice(0, chars)] };
    if (chars < message.content.length) break;
  }
  return found;
}

/** orch's estimate of the prefix's tokens (o200k, with each message's framing). */
export function stablePrefixTokens(prefix: StablePrefix): number {
  return prefix.texts.reduce((sum, text) => sum + estimateTokens(text) + framingTokensPerMessage, 0);
}

/** The prefix Anthropic is asked to cache for this call, or undefined when it is below `model`'s minimum. */
export function anthropicCachedPrefix(messages: readonly ChatMessage[], model: string): StablePrefix | undefined {
  const prefix = stablePrefixOf(messages);
  return prefix !== undefined && stablePrefixTokens(prefix) >= anthropicMinimumCacheableTokens(model) ? prefix : undefined;
}

/**
 * The most prompt tokens a call could be billed as cache writes: the byte bound of the stable prefix
 * (inputTokenBound: no tokenizer makes more), when the prefix could be marked for some model; 0
 * otherwise. A worst case holds these at the write price, which is above the input price.
 */
export function cacheWriteBoundTokens(messages: readonly ChatMessage[]): number {
  const prefix = stablePrefixOf(messages);
  if (prefix === undefined || stablePrefixTokens(prefix) < smallestCacheablePrefixTokens) return 0;
  return inputTokenBound(prefix.texts);
}
