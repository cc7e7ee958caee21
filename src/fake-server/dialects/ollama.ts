/**
 * Ollama's native API, checked against its API docs and the `ollama` package's types:
 * `/api/chat` and `/api/generate` answer one JSON object, or NDJSON lines with `done: false` and a
 * last line with `done: true`, `done_reason` and the counts (`prompt_eval_count`, `eval_count`,
 * durations in nanoseconds); errors are `{"error": "..."}`; `/api/pull` streams progress lines
 * ending in `{"status": "success"}`.
 */
import type { FakeAnswer } from "../fake-answer.js";
import type { StreamPlan } from "../stream-plan.js";
import { retryAfterSecondsOf, retryHeaders, type ChatDialect, type ErrorFault, type ErrorReply } from "./dialect.js";

export type OllamaEndpoint = "chat" | "generate";

function line(payload: unknown): string {
  return `${typeof payload === "string" ? payload : JSON.stringify(payload)}\n`;
}

function piece(endpoint: OllamaEndpoint, text: string): Record<string, unknown> {
  return endpoint === "chat" ? { message: { role: "assistant", content: text } } : { response: text };
}

/** The counts Ollama reports on its final line; thinking tokens are part of `eval_count`. */
function finalCounts(answer: FakeAnswer): Record<string, unknown> {
  return {
    done_reason: answer.stopReason,
    done: true,
    total_duration: 1_250_000_000,
    load_duration: 50_000_000,
    prompt_eval_count: answer.inputTokens,
    prompt_eval_duration: 200_000_000,
    eval_count: answer.outputTokens + answer.reasoningTokens,
    eval_duration: 1_000_000_000,
  };
}

export function ollamaModelNotFoundReply(model: string): ErrorReply {
  return { status: 404, body: { error: `model "${model}" not found, try pulling it first` } };
}

export function createOllamaDialect(endpoint: OllamaEndpoint): ChatDialect {
  const createdAt = (): string => new Date().toISOString();
  return {
    errorReply(fault: ErrorFault): ErrorReply {
      switch (fault.type) {
        case "rate_limit":
          // A local server has no quotas; ollama.com's hosted API answers 429 like this.
          return { status: 429, headers: retryHeaders(fault), body: { error: `too many requests, retry in ${retryAfterSecondsOf(fault)}s` } };
        case "server_error": {
          const status = fault.status ?? 500;
          return status === 503
            ? { status, body: { error: "server busy, please try again.  maximum pending requests exceeded" } }
            : { status, body: { error: "llama runner process has terminated: exit status 2" } };
        }
        case "unauthorized":
          return { status: 401, body: { error: "unauthorized" } };
        case "context_length":
          // Only Ollama's embedding endpoint says this; chat and generate truncate the prompt
          // instead (ollama-routes.ts turns the fault into that), so no chat answer carries it.
          return { status: 400, body: { error: "the input length exceeds the context length" } };
      }
    },

    completeBody(answer: FakeAnswer): unknown {
      return { model: answer.model, created_at: createdAt(), ...piece(endpoint, answer.text), ...finalCounts(answer) };
    },

    streamPlan(answer: FakeAnswer): StreamPlan {
      return {
        contentType: "application/x-ndjson",
        head: [],
        content: answer.chunks.map((text) => line({ model: answer.model, created_at: createdAt(), ...piece(endpoint, text), done: false })),
        tail: [line({ model: answer.model, created_at: createdAt(), ...piece(endpoint, ""), ...finalCounts(answer) })],
        malformedFrame: line('{"model":"broken","message":{"content":'),
        errorFrame: line({ error: "llama runner process has terminated: exit status 2" }),
      };
    },
  };
}
