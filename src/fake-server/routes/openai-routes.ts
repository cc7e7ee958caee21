/** OpenAI (`/v1/...`) and OpenRouter (`/api/v1/...`) routes. */
import { answerChatTurn, collectPromptTexts } from "../chat-turn.js";
import type { ChatDialect, ErrorReply } from "../dialects/dialect.js";
import { createOpenAiDialect, openAiErrorBody, openAiInvalidJsonReply, openAiMissingKeyReply } from "../dialects/openai.js";
import { createOpenRouterDialect, openRouterErrorBody, openRouterMissingKeyReply } from "../dialects/openrouter.js";
import { settleAnswer } from "../fake-answer.js";
import { sendJson } from "../http-exchange.js";
import { openAiRefusal } from "../model-refusals.js";
import { withCacheUse } from "../prompt-cache.js";
import { bearerToken, bodyField, header, outputCapOf, type Exchange, type Route } from "./route.js";

function reply(exchange: Exchange, errorReply: ErrorReply): true {
  sendJson(exchange.response, errorReply.status, errorReply.body, errorReply.headers);
  return true;
}

async function chatCompletion(exchange: Exchange, dialectFor: (apiKey: string, includeUsage: boolean) => ChatDialect, flavour: "openai" | "openrouter"): Promise<true> {
  const apiKey = bearerToken(exchange);
  if (apiKey === undefined) return reply(exchange, flavour === "openai" ? openAiMissingKeyReply() : openRouterMissingKeyReply());
  if (!exchange.body.isValidJson) {
    return reply(exchange, flavour === "openai" ? openAiInvalidJsonReply() : { status: 400, body: openRouterErrorBody(400, "Invalid JSON body") });
  }
  const model = bodyField(exchange, "model");
  if (typeof model !== "string" || model === "") {
    const message = "you must provide a model parameter";
    return reply(exchange, {
      status: 400,
      body: flavour === "openai" ? openAiErrorBody(message, "invalid_request_error", null, "model") : openRouterErrorBody(400, message),
    });
  }
  // OpenRouter drops what a model does not take and answers; OpenAI refuses it.
  if (flavour === "openai") {
    const refusal = openAiRefusal(model, exchange.body.json as Record<string, unknown>, exchange.scripts.behaviourOf(model).fixedTemperature);
    if (refusal !== undefined) return reply(exchange, refusal);
  }
  const stream = bodyField(exchange, "stream") === true;
  const streamOptions = bodyField(exchange, "stream_options") as { include_usage?: unknown } | undefined;
  const outputCap = outputCapOf(bodyField(exchange, "max_completion_tokens")) ?? outputCapOf(bodyField(exchange, "max_tokens"));
  const promptTexts = collectPromptTexts(bodyField(exchange, "messages"));
  // OpenAI caches long prefixes by itself; the fake OpenRouter reports only what a script says.
  const scripted = exchange.scripts.nextTurn(model);
  const turn = flavour === "openai" ? withCacheUse(scripted, exchange.scripts.behaviourOf(model), () => exchange.scripts.promptCache.automatic("openai", model, promptTexts)) : scripted;
  const answer = settleAnswer(model, promptTexts, turn, outputCap);
  await answerChatTurn(exchange.response, dialectFor(apiKey, streamOptions?.include_usage === true), answer, turn, stream);
  return true;
}

function listModels(exchange: Exchange, flavour: "openai" | "openrouter"): true {
  const created = Math.floor(Date.now() / 1000);
  const data = exchange.scripts.models().map((id) =>
    flavour === "openai"
      ? { id, object: "model", created, owned_by: "fake" }
      : { id, name: id, created, context_length: 128_000, pricing: { prompt: "0.000001", completion: "0.000002" } },
  );
  sendJson(exchange.response, 200, flavour === "openai" ? { object: "list", data } : { data });
  return true;
}

export const openAiRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  if (exchange.method === "POST" && path === "/v1/chat/completions") {
    return chatCompletion(exchange, (apiKey, includeUsage) => createOpenAiDialect({ apiKey, includeUsage }), "openai");
  }
  // Anthropic lists models on the same path; its clients always send `anthropic-version`.
  if (exchange.method === "GET" && path === "/v1/models" && header(exchange, "anthropic-version") === undefined) {
    if (bearerToken(exchange) === undefined) return reply(exchange, openAiMissingKeyReply());
    return listModels(exchange, "openai");
  }
  return false;
};

export const openRouterRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  if (exchange.method === "POST" && path === "/api/v1/chat/completions") {
    return chatCompletion(exchange, () => createOpenRouterDialect(), "openrouter");
  }
  // OpenRouter's model list is public: no key needed.
  if (exchange.method === "GET" && path === "/api/v1/models") return listModels(exchange, "openrouter");
  return false;
};
