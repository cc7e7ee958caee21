/** Anthropic routes: `POST /v1/messages` and `GET /v1/models` (told apart by `anthropic-version`). */
import { answerChatTurn, collectPromptTexts } from "../chat-turn.js";
import { anthropicErrorBody, anthropicMissingKeyReply, createAnthropicDialect } from "../dialects/anthropic.js";
import { settleAnswer } from "../fake-answer.js";
import { sendJson } from "../http-exchange.js";
import { bearerToken, bodyField, header, type Exchange, type Route } from "./route.js";

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
  const model = bodyField(exchange, "model");
  if (!exchange.body.isValidJson || typeof model !== "string") {
    sendJson(exchange.response, 400, anthropicErrorBody("invalid_request_error", "model: Field required", "req_fake_invalid"));
    return true;
  }
  const turn = exchange.scripts.nextTurn(model);
  const promptTexts = [...collectPromptTexts(bodyField(exchange, "system")), ...collectPromptTexts(bodyField(exchange, "messages"))];
  const answer = settleAnswer(model, promptTexts, turn);
  await answerChatTurn(exchange.response, createAnthropicDialect(), answer, turn, bodyField(exchange, "stream") === true);
  return true;
};
