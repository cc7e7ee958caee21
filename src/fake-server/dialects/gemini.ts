/**
 * Gemini `generateContent` / `streamGenerateContent?alt=sse`, checked against the API reference:
 * `usageMetadata.promptTokenCount` includes `cachedContentTokenCount`; `thoughtsTokenCount` is
 * counted apart from `candidatesTokenCount`; SSE events are `data:` lines separated by CRLF pairs;
 * errors are `{error: {code, message, status, details}}`, a refused key is HTTP 400
 * `API_KEY_INVALID`, and a rate limit says how long to wait in a `google.rpc.RetryInfo` detail.
 */
import type { FakeAnswer } from "../fake-answer.js";
import type { StreamPlan } from "../stream-plan.js";
import { retryAfterSecondsOf, type ChatDialect, type ErrorFault, type ErrorReply } from "./dialect.js";

const contextWindow = 1_048_576;

export function geminiErrorBody(code: number, status: string, message: string, details?: unknown[]): unknown {
  return { error: { code, message, status, ...(details === undefined ? {} : { details }) } };
}

function usageMetadata(answer: FakeAnswer, candidatesTokenCount: number, finished: boolean): Record<string, unknown> {
  const thoughts = finished ? answer.reasoningTokens : 0;
  return {
    promptTokenCount: answer.inputTokens,
    candidatesTokenCount,
    totalTokenCount: answer.inputTokens + candidatesTokenCount + thoughts,
    ...(answer.cachedInputTokens > 0 ? { cachedContentTokenCount: answer.cachedInputTokens } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: answer.inputTokens }],
  };
}

function responseChunk(answer: FakeAnswer, text: string, candidatesSoFar: number, finished: boolean): Record<string, unknown> {
  return {
    candidates: [
      {
        content: { parts: [{ text }], role: "model" },
        ...(finished ? { finishReason: answer.stopReason === "length" ? "MAX_TOKENS" : "STOP" } : {}),
        index: 0,
      },
    ],
    usageMetadata: usageMetadata(answer, candidatesSoFar, finished),
    modelVersion: answer.model,
    responseId: answer.id,
  };
}

function dataEvent(payload: unknown): string {
  return `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\r\n\r\n`;
}

/** What the API says when neither `x-goog-api-key` nor `?key=` came. */
export function geminiMissingKeyReply(): ErrorReply {
  return {
    status: 403,
    body: geminiErrorBody(
      403,
      "PERMISSION_DENIED",
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    ),
  };
}

export function createGeminiDialect(): ChatDialect {
  return {
    errorReply(fault: ErrorFault, answer: FakeAnswer): ErrorReply {
      switch (fault.type) {
        case "rate_limit": {
          const seconds = retryAfterSecondsOf(fault);
          return {
            status: 429,
            body: geminiErrorBody(
              429,
              "RESOURCE_EXHAUSTED",
              "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
              [
                {
                  "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                  violations: [
                    {
                      quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                      quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                      quotaDimensions: { location: "global", model: answer.model },
                      quotaValue: "10",
                    },
                  ],
                },
                { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${seconds}s` },
              ],
            ),
          };
        }
        case "server_error": {
          const status = fault.status ?? 500;
          return status === 503
            ? { status, body: geminiErrorBody(503, "UNAVAILABLE", "The model is overloaded. Please try again later.") }
            : {
                status,
                body: geminiErrorBody(
                  status,
                  "INTERNAL",
                  "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
                ),
              };
        }
        case "unauthorized":
          return {
            status: 400,
            body: geminiErrorBody(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
              {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                reason: "API_KEY_INVALID",
                domain: "googleapis.com",
                metadata: { service: "generativelanguage.googleapis.com" },
              },
            ]),
          };
        case "context_length":
          return {
            status: 400,
            body: geminiErrorBody(
              400,
              "INVALID_ARGUMENT",
              `The input token count (${contextWindow + answer.inputTokens}) exceeds the maximum number of tokens allowed (${contextWindow}).`,
            ),
          };
      }
    },

    completeBody(answer: FakeAnswer): unknown {
      const { usageMetadata, ...body } = responseChunk(answer, answer.text, answer.outputTokens, true);
      return answer.usageOmitted ? body : { ...body, usageMetadata };
    },

    streamPlan(answer: FakeAnswer): StreamPlan {
      return {
        contentType: "text/event-stream",
        head: [],
        content: answer.chunks.map((piece, index) => dataEvent(responseChunk(answer, piece, index + 1, false))),
        // The last event carries the stop reason and the final counts (thoughts included).
        tail: [dataEvent(responseChunk(answer, "", answer.outputTokens, true))],
        malformedFrame: dataEvent('{"candidates":[{"content":{"parts":[{"text":'),
        errorFrame: dataEvent(geminiErrorBody(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
      };
    },
  };
}
