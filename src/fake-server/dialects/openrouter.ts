/**
 * OpenRouter (`POST /api/v1/chat/completions`): the OpenAI wire format plus `usage.cost` (USD
 * credits), `cost_details` and `prompt_tokens_details.cache_write_tokens`, always present without
 * asking (the docs mark `usage: {include: true}` deprecated); errors are `{error: {code, message,
 * metadata}}` with the HTTP status repeated in `code`; streams open with `: OPENROUTER PROCESSING`
 * comments.
 */
import type { FakeAnswer } from "../fake-answer.js";
import type { StreamPlan } from "../stream-plan.js";
import { retryAfterSecondsOf, retryHeaders, type ChatDialect, type ErrorFault, type ErrorReply } from "./dialect.js";
import { createOpenAiDialect, openAiUsage } from "./openai.js";

const contextWindow = 128_000;

export function openRouterErrorBody(code: number, message: string, metadata?: Record<string, unknown>): unknown {
  return { error: { code, message, ...(metadata === undefined ? {} : { metadata }) } };
}

function openRouterUsage(answer: FakeAnswer): Record<string, unknown> {
  const usage = openAiUsage(answer);
  return {
    ...usage,
    prompt_tokens_details: { cached_tokens: answer.cachedInputTokens, cache_write_tokens: 0, audio_tokens: 0 },
    cost: answer.costUsd,
    is_byok: answer.upstreamCostUsd !== undefined,
    cost_details: { upstream_inference_cost: answer.upstreamCostUsd ?? null },
  };
}

export function createOpenRouterDialect(): ChatDialect {
  // OpenRouter always sends the final usage chunk, whether or not the client asked for it.
  const openAi = createOpenAiDialect({ includeUsage: true, apiKey: undefined, usageOf: openRouterUsage });
  return {
    errorReply(fault: ErrorFault, answer: FakeAnswer): ErrorReply {
      switch (fault.type) {
        case "rate_limit":
          return {
            status: 429,
            headers: retryHeaders(fault),
            body: openRouterErrorBody(429, `Rate limit exceeded: limit_rpm/${answer.model}. Retry in ${retryAfterSecondsOf(fault)}s.`, {
              provider_name: null,
            }),
          };
        case "server_error": {
          const status = fault.status ?? 502;
          const message =
            status === 503
              ? "No allowed providers are available for the selected model."
              : "Provider returned error";
          return { status, body: openRouterErrorBody(status, message, { provider_name: "OpenAI" }) };
        }
        case "unauthorized":
          return { status: 401, body: openRouterErrorBody(401, "User not found.") };
        case "context_length":
          return {
            status: 400,
            body: openRouterErrorBody(
              400,
              `This endpoint's maximum context length is ${contextWindow} tokens. However, you requested about ${contextWindow + answer.inputTokens} tokens (${contextWindow + answer.inputTokens - 100} of text input, 100 in the output). Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.`,
              { provider_name: null },
            ),
          };
      }
    },

    completeBody(answer: FakeAnswer): unknown {
      const body = openAi.completeBody(answer) as Record<string, unknown>;
      return { ...body, id: `gen-${answer.id}`, provider: "OpenAI" };
    },

    streamPlan(answer: FakeAnswer): StreamPlan {
      const plan = openAi.streamPlan(answer);
      // A failure after the stream started comes as a data event with OpenRouter's error shape.
      const errorFrame = `data: ${JSON.stringify(openRouterErrorBody(502, "Provider returned error", { provider_name: "OpenAI" }))}\n\n`;
      return { ...plan, head: [": OPENROUTER PROCESSING\n\n", ...plan.head], errorFrame };
    },
  };
}

export function openRouterMissingKeyReply(): ErrorReply {
  return { status: 401, body: openRouterErrorBody(401, "No auth credentials found") };
}
