/** The answer to one request, with its token numbers settled once so every dialect reports the same. */
import { randomBytes } from "node:crypto";
import type { FakeTurn } from "./behaviour.js";
import { countFakeTokens, splitIntoTokenChunks } from "./fake-tokens.js";

export interface FakeAnswer {
  /** A random-looking id; dialects add their own prefix (`chatcmpl-`, `msg_`, `gen-`). */
  id: string;
  model: string;
  text: string;
  chunks: string[];
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  cachedInputTokens: number;
  /** Prompt tokens written to the cache for 5 minutes and for 1 hour (subsets of inputTokens, apart from the cached ones). */
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  /** Tokens of the visible answer, reasoning excluded. */
  outputTokens: number;
  reasoningTokens: number;
  /** OpenRouter's reported cost in USD. */
  costUsd: number;
  /** A BYOK call's upstream cost in USD (OpenRouter); undefined for a call on OpenRouter's credits. */
  upstreamCostUsd: number | undefined;
  /** Unix seconds. */
  created: number;
  /** The complete body carries no token counts (`usage: { omitted: true }` in the model's script). */
  usageOmitted: boolean;
  /** `length` when the answer was cut at the request's output cap (the words OpenAI and Ollama use; Anthropic and Gemini dialects translate). */
  stopReason: FakeStopReason;
}

export type FakeStopReason = "stop" | "length";

/** Price the fake OpenRouter charges when a script gives no cost: 1 USD in, 2 USD out, per million. */
const defaultFakeCostPerToken = { input: 1 / 1_000_000, output: 2 / 1_000_000 };

/**
 * The answer to a request. `outputCap` is the request's output limit (`max_tokens`,
 * `maxOutputTokens`, `num_predict`): as the real APIs do, a longer scripted answer is cut to that
 * many tokens and its stop reason says so.
 */
export function settleAnswer(model: string, promptTexts: string[], turn: FakeTurn, outputCap?: number): FakeAnswer {
  const countedInput = promptTexts.reduce((sum, text) => sum + countFakeTokens(text), 0);
  const inputTokens = turn.usage.inputTokens ?? countedInput;
  const allChunks = splitIntoTokenChunks(turn.text);
  const cut = outputCap !== undefined && allChunks.length > outputCap;
  const chunks = cut ? allChunks.slice(0, Math.max(0, outputCap)) : allChunks;
  const outputTokens = turn.usage.outputTokens ?? chunks.length;
  const reasoningTokens = turn.reasoningTokens;
  const costUsd =
    turn.costUsd ??
    inputTokens * defaultFakeCostPerToken.input + (outputTokens + reasoningTokens) * defaultFakeCostPerToken.output;
  const cachedInputTokens = Math.min(turn.cachedInputTokens, inputTokens);
  const cacheWrite1hTokens = Math.min(turn.cacheWrite1hTokens, inputTokens - cachedInputTokens);
  const cacheWriteTokens = Math.min(turn.cacheWriteTokens, inputTokens - cachedInputTokens - cacheWrite1hTokens);
  return {
    id: randomBytes(12).toString("hex"),
    model,
    text: cut ? chunks.join("") : turn.text,
    chunks,
    inputTokens,
    cachedInputTokens,
    cacheWriteTokens,
    cacheWrite1hTokens,
    outputTokens,
    reasoningTokens,
    costUsd,
    upstreamCostUsd: turn.upstreamCostUsd,
    created: Math.floor(Date.now() / 1000),
    stopReason: cut ? "length" : "stop",
    usageOmitted: turn.usage.omitted === true,
  };
}
