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
}

/** Price the fake OpenRouter charges when a script gives no cost: 1 USD in, 2 USD out, per million. */
const defaultFakeCostPerToken = { input: 1 / 1_000_000, output: 2 / 1_000_000 };

export function settleAnswer(model: string, promptTexts: string[], turn: FakeTurn): FakeAnswer {
  const countedInput = promptTexts.reduce((sum, text) => sum + countFakeTokens(text), 0);
  const inputTokens = turn.usage.inputTokens ?? countedInput;
  const chunks = splitIntoTokenChunks(turn.text);
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
    text: turn.text,
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
  };
}
