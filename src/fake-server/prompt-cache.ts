/**
 * The fake vendors' prompt caches, so a test sees what the real APIs report when prompts repeat:
 *
 * - Anthropic: only a prefix marked with `cache_control` (everything up to the last marked block:
 *   system, then messages) and at least the model's minimum long. The first request writes it
 *   (5 minutes, or 1 hour with `ttl: "1h"`); a request with the same prefix before it expires reads
 *   it (and refreshes its lifetime). Unmarked prompts are never cached.
 * - OpenAI and Gemini (implicit caching): automatic. A prompt sharing at least 1,024 leading tokens
 *   with an earlier prompt to the same model reads that common prefix (OpenAI in 128-token steps
 *   past the first 1,024, as its documentation says); writes are free and not reported.
 *
 * Tokens are the fake's own (one per word, fake-tokens.ts). A script that sets any cache figure
 * (`cachedInputTokens`, `cacheWriteTokens`, `cacheWrite1hTokens`) replaces this accounting.
 */
import { createHash } from "node:crypto";
import { anthropicMinimumCacheableTokens, smallestCacheablePrefixTokens } from "../providers/prompt-cache.js";
import type { FakeModelBehaviour, FakeTurn } from "./behaviour.js";
import { countFakeTokens } from "./fake-tokens.js";

export interface FakeCacheUse {
  cachedInputTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
}

const none: FakeCacheUse = { cachedInputTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 };
const fiveMinutesMs = 5 * 60_000;
const oneHourMs = 60 * 60_000;
/** Earlier prompts remembered per model for automatic caching; enough for any test or bench. */
const promptsKeptPerModel = 256;

/** An Anthropic request's marked prefix: its texts up to the last `cache_control` block, and that block's lifetime. */
export interface MarkedPrefix {
  texts: string[];
  ttl: "5m" | "1h";
}

export class FakePromptCache {
  /** Anthropic: prefix digest → expiry (epoch ms). */
  readonly #marked = new Map<string, number>();
  /** OpenAI and Gemini: earlier prompts' words, by dialect and model. */
  readonly #prompts = new Map<string, string[][]>();

  reset(): void {
    this.#marked.clear();
    this.#prompts.clear();
  }

  anthropic(model: string, prefix: MarkedPrefix | undefined, now = Date.now()): FakeCacheUse {
    if (prefix === undefined) return none;
    const tokens = prefix.texts.reduce((sum, text) => sum + countFakeTokens(text), 0);
    if (tokens < anthropicMinimumCacheableTokens(model)) return none;
    const key = createHash("sha256").update(JSON.stringify([model, prefix.texts])).digest("hex");
    const expires = this.#marked.get(key);
    this.#marked.set(key, now + (prefix.ttl === "1h" ? oneHourMs : fiveMinutesMs));
    if (expires !== undefined && expires > now) return { ...none, cachedInputTokens: tokens };
    return prefix.ttl === "1h" ? { ...none, cacheWrite1hTokens: tokens } : { ...none, cacheWriteTokens: tokens };
  }

  /** Automatic prefix caching: the tokens this prompt shares with the longest-matching earlier one. */
  automatic(dialect: "openai" | "gemini", model: string, promptTexts: readonly string[]): FakeCacheUse {
    const words = promptTexts.flatMap((text) => text.match(/\S+/g) ?? []);
    const key = `${dialect}\0${model}`;
    const earlier = this.#prompts.get(key) ?? [];
    const shared = earlier.reduce((longest, prompt) => Math.max(longest, commonPrefixLength(prompt, words)), 0);
    this.#prompts.set(key, [...earlier.slice(-(promptsKeptPerModel - 1)), words]);
    if (shared < smallestCacheablePrefixTokens) return none;
    const step = dialect === "openai" ? 128 : 1;
    const cached = smallestCacheablePrefixTokens + Math.floor((shared - smallestCacheablePrefixTokens) / step) * step;
    return { ...none, cachedInputTokens: cached };
  }
}

/**
 * The turn with the cache's figures, unless the script sets its own or the request fails (a failed
 * request neither reads nor writes: `use` is not called).
 */
export function withCacheUse(turn: FakeTurn, behaviour: FakeModelBehaviour, use: () => FakeCacheUse): FakeTurn {
  const scripted = behaviour.cachedInputTokens !== undefined || behaviour.cacheWriteTokens !== undefined || behaviour.cacheWrite1hTokens !== undefined;
  return scripted || turn.fault !== undefined ? turn : { ...turn, ...use() };
}

function commonPrefixLength(a: readonly string[], b: readonly string[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index++;
  return index;
}

/**
 * The marked prefix of a Messages API body: texts of `system` then `messages`, block by block, up to
 * the last block carrying `cache_control`; undefined when no block carries one.
 */
export function markedPrefixOf(system: unknown, messages: unknown): MarkedPrefix | undefined {
  const texts: string[] = [];
  let marked: MarkedPrefix | undefined;
  const visit = (block: unknown): void => {
    if (typeof block === "string") {
      texts.push(block);
      return;
    }
    if (typeof block !== "object" || block === null) return;
    const record = block as { text?: unknown; content?: unknown; cache_control?: { ttl?: unknown } };
    if (typeof record.text === "string") texts.push(record.text);
    else if (Array.isArray(record.content) || typeof record.content === "string") [record.content].flat().forEach(visit);
    if (record.cache_control) marked = { texts: [...texts], ttl: record.cache_control.ttl === "1h" ? "1h" : "5m" };
  };
  [system, messages].flatMap((part) => (Array.isArray(part) ? part : [part])).forEach(visit);
  return marked;
}
