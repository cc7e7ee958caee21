/**
 * OpenAI chat completions (`POST /v1/chat/completions`), checked against the API reference:
 * `usage.prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`
 * (reasoning is part of `completion_tokens`), and with `stream_options.include_usage` a final chunk
 * with empty `choices` carrying the usage, every other chunk having `usage: null`.
 */
import type { FakeAnswer } from "../fake-answer.js";
import { serverSentEvent, type StreamPlan } from "../stream-plan.js";
import { maskKey, retryAfterSecondsOf, retryHeaders, type ChatDialect, type ErrorFault, type ErrorReply } from "./dialect.js";

const contextWindow = 128_000;

export function openAiUsage(answer: FakeAnswer): Record<string, unknown> {
  const completionTokens = answer.outputTokens + answer.reasoningTokens;
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: completionTokens,
    total_tokens: answer.inputTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: answer.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: answer.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function openAiErrorBody(message: string, type: string, code: string | null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

/** The answer OpenAI gives when no usable `Authorization: Bearer` header came. */
export function openAiMissingKeyReply(): ErrorReply {
  return {
    status: 401,
    body: openAiErrorBody(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      "invalid_request_error",
      null,
    ),
  };
}

export function openAiInvalidJsonReply(): ErrorReply {
  return {
    status: 400,
    body: openAiErrorBody(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
      "invalid_request_error",
      null,
    ),
  };
}

export interface OpenAiDialectOptions {
  includeUsage: boolean;
  /** The key the client sent, echoed masked in a 401 as the real API does. */
  apiKey: string | undefined;
  /** Usage object of the answer; OpenRouter adds its cost fields. */
  usageOf?: (answer: FakeAnswer) => Record<string, unknown>;
}

export function createOpenAiDialect(options: OpenAiDialectOptions): ChatDialect {
  const usageOf = options.usageOf ?? openAiUsage;
  return {
    errorReply(fault: ErrorFault, answer: FakeAnswer): ErrorReply {
      switch (fault.type) {
        case "rate_limit":
          return {
            status: 429,
            headers: {
              ...retryHeaders(fault),
              "x-ratelimit-limit-requests": "3",
              "x-ratelimit-remaining-requests": "0",
              "x-ratelimit-reset-requests": `${retryAfterSecondsOf(fault)}s`,
            },
            body: openAiErrorBody(
              `Rate limit reached for ${answer.model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfterSecondsOf(fault)}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
              "requests",
              "rate_limit_exceeded",
            ),
          };
        case "server_error": {
          const status = fault.status ?? 500;
          const message =
            status === 503
              ? "The engine is currently overloaded, please try again later."
              : "The server had an error while processing your request. Sorry about that!";
          return { status, body: openAiErrorBody(message, "server_error", null) };
        }
        case "unauthorized":
          return {
            status: 401,
            body: openAiErrorBody(
              `Incorrect API key provided: ${maskKey(options.apiKey ?? "")}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              "invalid_request_error",
              "invalid_api_key",
            ),
          };
        case "context_length":
          return {
            status: 400,
            body: openAiErrorBody(
              `This model's maximum context length is ${contextWindow} tokens. However, your messages resulted in ${contextWindow + answer.inputTokens} tokens. Please reduce the length of the messages.`,
              "invalid_request_error",
              "context_length_exceeded",
              "messages",
            ),
          };
      }
    },

    completeBody(answer: FakeAnswer): unknown {
      return {
        id: `chatcmpl-${answer.id}`,
        object: "chat.completion",
        created: answer.created,
        model: answer.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: answer.text, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: answer.stopReason,
          },
        ],
        ...(answer.usageOmitted ? {} : { usage: usageOf(answer) }),
        service_tier: "default",
        system_fingerprint: "fp_fake0001",
      };
    },

    streamPlan(answer: FakeAnswer): StreamPlan {
      const chunk = (choices: unknown[], usage: unknown = null): string =>
        serverSentEvent({
          id: `chatcmpl-${answer.id}`,
          object: "chat.completion.chunk",
          created: answer.created,
          model: answer.model,
          service_tier: "default",
          system_fingerprint: "fp_fake0001",
          choices,
          ...(options.includeUsage ? { usage } : {}),
        });
      const delta = (content: Record<string, unknown>, finishReason: string | null = null): unknown => ({
        index: 0,
        delta: content,
        logprobs: null,
        finish_reason: finishReason,
      });
      return {
        contentType: "text/event-stream; charset=utf-8",
        head: [chunk([delta({ role: "assistant", content: "", refusal: null })])],
        content: answer.chunks.map((piece) => chunk([delta({ content: piece })])),
        tail: [
          chunk([delta({}, answer.stopReason)]),
          ...(options.includeUsage ? [chunk([], usageOf(answer))] : []),
          serverSentEvent("[DONE]"),
        ],
        malformedFrame: serverSentEvent('{"id":"chatcmpl-broken","choices":[{"delta":{"content":'),
        errorFrame: serverSentEvent(openAiErrorBody("The server had an error while processing your request. Sorry about that!", "server_error", null)),
      };
    },
  };
}
