/**
 * Anthropic messages (`POST /v1/messages`), checked against the API reference and the SDK's
 * types: `usage.input_tokens` excludes cache reads (`cache_read_input_tokens`) and writes
 * (`cache_creation_input_tokens`, split by lifetime in `cache_creation.ephemeral_5m/1h_input_tokens`);
 * `output_tokens` includes thinking (`output_tokens_details.thinking_tokens`); streams are named
 * SSE events message_start → content_block_start/delta/stop → message_delta (cumulative usage,
 * stop_reason) → message_stop, with `ping`s; errors are `{type: "error", error: {type, message},
 * request_id}` and overload is HTTP 529 `overloaded_error`.
 */
import type { FakeAnswer } from "../fake-answer.js";
import { serverSentEvent, type StreamPlan } from "../stream-plan.js";
import { retryHeaders, type ChatDialect, type ErrorFault, type ErrorReply } from "./dialect.js";

const contextWindow = 200_000;

export function anthropicErrorBody(type: string, message: string, requestId: string): unknown {
  return { type: "error", error: { type, message }, request_id: requestId };
}

function usageOf(answer: FakeAnswer, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: answer.inputTokens - answer.cachedInputTokens - answer.cacheWriteTokens - answer.cacheWrite1hTokens,
    cache_creation_input_tokens: answer.cacheWriteTokens + answer.cacheWrite1hTokens,
    cache_read_input_tokens: answer.cachedInputTokens,
    cache_creation: { ephemeral_5m_input_tokens: answer.cacheWriteTokens, ephemeral_1h_input_tokens: answer.cacheWrite1hTokens },
    output_tokens: outputTokens,
    output_tokens_details: { thinking_tokens: answer.reasoningTokens },
    service_tier: "standard",
  };
}

/** `max_tokens` when the answer was cut at the request's cap, as the Messages API says it. */
function anthropicStopReason(answer: FakeAnswer): string {
  return answer.stopReason === "length" ? "max_tokens" : "end_turn";
}

export function anthropicMissingKeyReply(): ErrorReply {
  return { status: 401, body: anthropicErrorBody("authentication_error", "x-api-key header is required", "req_fake_missing_key") };
}

export function createAnthropicDialect(): ChatDialect {
  return {
    errorReply(fault: ErrorFault, answer: FakeAnswer): ErrorReply {
      const requestId = `req_${answer.id}`;
      const headers = { "request-id": requestId };
      switch (fault.type) {
        case "rate_limit":
          return {
            status: 429,
            headers: {
              ...headers,
              ...retryHeaders(fault),
              "anthropic-ratelimit-requests-limit": "50",
              "anthropic-ratelimit-requests-remaining": "0",
            },
            body: anthropicErrorBody(
              "rate_limit_error",
              "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.",
              requestId,
            ),
          };
        case "server_error": {
          const status = fault.status ?? 500;
          const overloaded = status === 529 || status === 503;
          return {
            status,
            headers,
            body: anthropicErrorBody(overloaded ? "overloaded_error" : "api_error", overloaded ? "Overloaded" : "Internal server error", requestId),
          };
        }
        case "unauthorized":
          return { status: 401, headers, body: anthropicErrorBody("authentication_error", "invalid x-api-key", requestId) };
        case "context_length":
          return {
            status: 400,
            headers,
            body: anthropicErrorBody(
              "invalid_request_error",
              `prompt is too long: ${contextWindow + answer.inputTokens} tokens > ${contextWindow} maximum`,
              requestId,
            ),
          };
      }
    },

    completeBody(answer: FakeAnswer): unknown {
      return {
        id: `msg_${answer.id}`,
        type: "message",
        role: "assistant",
        model: answer.model,
        content: [{ type: "text", text: answer.text, citations: null }],
        stop_reason: anthropicStopReason(answer),
        stop_sequence: null,
        ...(answer.usageOmitted ? {} : { usage: usageOf(answer, answer.outputTokens + answer.reasoningTokens) }),
      };
    },

    streamPlan(answer: FakeAnswer): StreamPlan {
      const message = {
        id: `msg_${answer.id}`,
        type: "message",
        role: "assistant",
        model: answer.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // As the real API does, message_start reports the prompt and a first output token.
        usage: usageOf(answer, 1),
      };
      return {
        contentType: "text/event-stream; charset=utf-8",
        head: [
          serverSentEvent({ type: "message_start", message }, "message_start"),
          serverSentEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start"),
          serverSentEvent({ type: "ping" }, "ping"),
        ],
        content: answer.chunks.map((piece) =>
          serverSentEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } }, "content_block_delta"),
        ),
        tail: [
          serverSentEvent({ type: "content_block_stop", index: 0 }, "content_block_stop"),
          serverSentEvent(
            {
              type: "message_delta",
              delta: { stop_reason: anthropicStopReason(answer), stop_sequence: null },
              usage: usageOf(answer, answer.outputTokens + answer.reasoningTokens),
            },
            "message_delta",
          ),
          serverSentEvent({ type: "message_stop" }, "message_stop"),
        ],
        malformedFrame: serverSentEvent('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":', "content_block_delta"),
        errorFrame: serverSentEvent(anthropicErrorBody("overloaded_error", "Overloaded", `req_${answer.id}`), "error"),
      };
    },
  };
}
