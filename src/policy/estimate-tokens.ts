/**
 * Token estimates before a call, with a real tokenizer (o200k_base, the encoding of current
 * OpenAI models; close enough for other vendors' budgeting, and far better than chars / 4).
 * The only token estimator: routing, reservations, plan, the mock provider, the rate limiter and
 * usage a provider never reported all count a prompt with `estimatePromptTokens`.
 *
 * Loading the encoding's rank table costs about a quarter of a second, so it is not imported at
 * start-up. Commands that count tokens (`run`, `plan`, `route`) call `preloadTokenizer` first
 * thing: a worker thread loads it while the main thread reads the configuration, and answers the
 * counts (tokenizer-worker.ts), so the load is off the first step's path. Without a preload, the
 * first call to `estimateTokens` loads it on the main thread, as before; commands that never count
 * tokens never pay for it. Either way the counts are o200k's, so routing decisions do not change.
 */
import { createRequire } from "node:module";
import type { ChatMessage } from "../providers/provider.js";
import { startTokenizerWorker, tokenizerModulePath, type TokenizerWorker } from "./tokenizer-worker.js";

export { complexityOf } from "./complexity.js";

interface Tokenizer {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

/** Prompts may quote `<|endoftext|>`; count it as text instead of throwing. */
const noDisallowedSpecialTokens = { disallowedSpecial: new Set<string>() };

let tokenizer: Tokenizer | undefined;
let worker: TokenizerWorker | undefined;
let workerCounts = 0;
/**
 * A count through the worker costs a thread round trip (~30 µs); loading on this thread costs
 * ~250 ms once. Past this many counts (a run of several thousand steps) loading here is cheaper.
 */
const workerCountsBeforeLoadingHere = 10_000;

/** Starts loading the tokenizer on a worker thread, so the first count does not wait for it on the main thread. */
export function preloadTokenizer(): void {
  if (tokenizer !== undefined || worker !== undefined) return;
  try {
    worker = startTokenizerWorker(tokenizerModulePath());
  } catch {
    worker = undefined;
  }
}

function loadTokenizer(): Tokenizer {
  if (!tokenizer) {
    const require = createRequire(import.meta.url);
    tokenizer = require(tokenizerModulePath()) as Tokenizer;
    worker?.close();
    worker = undefined;
  }
  return tokenizer;
}

/** Number of o200k_base tokens in `text`; special-token markers are counted as plain text. */
export function estimateTokens(text: string): number {
  if (text === "") return 0;
  if (tokenizer === undefined && worker !== undefined && workerCounts < workerCountsBeforeLoadingHere) {
    try {
      const count = worker.count(text);
      workerCounts++;
      return count;
    } catch {
      // A worker that could not start or load: count on this thread instead, as without a preload.
      worker.close();
      worker = undefined;
    }
  }
  return loadTokenizer().countTokens(text, noDisallowedSpecialTokens);
}

/** Per-message framing tokens the APIs add around each message; a small, honest overestimate. */
export const framingTokensPerMessage = 4;

/** A prompt's tokens: each message's text plus its framing. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + estimateTokens(message.content) + framingTokensPerMessage, 0);
}

/** True once the tokenizer has been loaded (for start-up time tests). */
export function tokenizerLoaded(): boolean {
  return tokenizer !== undefined;
}

/**
 * Framing the chat APIs add around each message (role markers, separators, a tokenizer's leading
 * space piece), counted generously for the bound below: real framing is 3–5 tokens a message.
 */
export const boundFramingTokensPerMessage = 8;

/**
 * An upper bound on the input tokens of these messages as any current vendor counts them. Every
 * current tokenizer (OpenAI's and Anthropic's byte-level BPE, Gemini's and Llama's SentencePiece
 * with byte fallback) makes each token of at least one byte of the UTF-8 text, so a prompt has at
 * most as many tokens as bytes, plus the framing. It is ~4× the estimate for English prose, which
 * is the price of a reservation that holds whatever the tokenizer: the difference is held only
 * until the call settles, never spent.
 */
export function inputTokenBound(contents: readonly string[]): number {
  return contents.reduce((sum, content) => sum + Buffer.byteLength(content, "utf8") + boundFramingTokensPerMessage, 0);
}
