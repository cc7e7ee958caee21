/**
 * Anthropic routes: `POST /v1/messages` and `GET /v1/models` (told apart by `anthropic-version`).
 * Messages refuses what the real API refuses, with its words (each seen in the API's answers:
 * PipedreamHQ/pipedream#9697, envoyproxy/ai-gateway#1909 for the header; tickernelz/opencode-mem#50
 * for `max_tokens`): no `anthropic-version` header, no `max_tokens`, a temperature the model does
 * not take (model-refusals.ts).
 */
import { answerChatTurn, collectPromptTexts } from "../chat-turn.js";
import { anthropicErrorBody, anthropicMissingKeyReply, createAnthropicDialect } from "../dialects/anthropic.js";
import { settleAnswer } from "../fake-answer.js";
import { sendJson } from "../http-exchange.js";
import { anthropicRefusal } from "../model-refusals.js";
import { markedPrefixOf, withCacheUse } from "../prompt-cache.js";
import { bearerToken, bodyField, header, outputCapOf, type Exchange, type Route } from "./route.js";

/** Anthropic accepts `x-api-key`; its newer SDKs send the key as `Authorization: Bearer`. */
function hasKey(exchange: Exchange): boolean {
  return header(exchange, "x-api-key") !== undefined || bearerToken(exchange) !== undefined;
}

export const anthropicRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  const isMessages = exchange.method === "POST" && path === "/v1/messages";
  const isModelList = exchange.method === "GET" && path === "/v1/models" && header(exchange, "anthropic-version") !== undefined;
  if (!isMessages && !isModelList) return false;

  if (!hasKey(exchange)) {
    const missing = anthropicMissingKeyReply();
    sendJson(exchange.response, missing.status, missing.body);
    return true;
  }
  if (isModelList) {
    const data = exchange.scripts.models().map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" }));
    sendJson(exchange.response, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    return true;
  }
  const apiVersion = header(exchange, "anthropic-version");
  if (apiVersion === undefined) {
    sendJson(exchange.response, 400, anthropicErrorBody("invalid_request_error", "anthropic-version: header is required", "req_fake_no_version"));
    return true;
  }
  const model = bodyField(exchange, "model");
  if (!exchange.body.isValidJson || typeof model !== "string") {
    sendJson(exchange.response, 400, anthropicErrorBody("invalid_request_error", "model: Field required", "req_fake_invalid"));
    return true;
  }
  const maxTokens = outputCapOf(bodyField(exchange, "max_tokens"));
  if (maxTokens === undefined) {
    sendJson(exchange.response, 400, anthropicErrorBody("invalid_request_error", "max_tokens: Field required", "req_fake_no_max_tokens"));
    return true;
  }
  const refusal = anthropicRefusal(model, apiVersion, exchange.body.json as Record<string, unknown>, exchange.scripts.behaviourOf(model).fixedTemperature, "req_fake_refused");
  if (refusal !== undefined) {
    sendJson(exchange.response, refusal.status, refusal.body, refusal.headers);
    return true;
  }
  const marked = markedPrefixOf(bodyField(exchange, "system"), bodyField(exchange, "messages"));
  const turn = withCacheUse(exchange.scripts.nextTurn(model), exchange.scripts.behaviourOf(model), () => exchange.scripts.promptCache.anthropic(model, marked));
  const promptTexts = [...collectPromptTexts(bodyField(exchange, "system")), ...collectPromptTexts(bodyField(exchange, "messages"))];
  const answer = settleAnswer(model, promptTexts, turn, maxTokens);
  await answerChatTurn(exchange.response, createAnthropicDialect(), answer, turn, bodyField(exchange, "stream") === true);
  return true;
};
