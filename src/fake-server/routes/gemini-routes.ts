/** Gemini routes: `POST /v1beta/models/{model}:generateContent|streamGenerateContent`, `GET /v1beta/models`. */
import { answerChatTurn, collectPromptTexts } from "../chat-turn.js";
import { createGeminiDialect, geminiErrorBody, geminiMissingKeyReply } from "../dialects/gemini.js";
import { settleAnswer } from "../fake-answer.js";
import { sendJson } from "../http-exchange.js";
import { withCacheUse } from "../prompt-cache.js";
import { bodyField, header, outputCapOf, type Exchange, type Route } from "./route.js";

const generatePath = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function hasKey(exchange: Exchange): boolean {
  return header(exchange, "x-goog-api-key") !== undefined || exchange.url.searchParams.has("key");
}

export const geminiRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  const generate = exchange.method === "POST" ? generatePath.exec(path) : null;
  const isModelList = exchange.method === "GET" && path === "/v1beta/models";
  if (generate === null && !isModelList) return false;

  if (!hasKey(exchange)) {
    const missing = geminiMissingKeyReply();
    sendJson(exchange.response, missing.status, missing.body);
    return true;
  }
  if (isModelList) {
    const models = exchange.scripts.models().map((id) => ({
      name: `models/${id}`,
      displayName: id,
      supportedGenerationMethods: ["generateContent", "countTokens"],
    }));
    sendJson(exchange.response, 200, { models });
    return true;
  }
  if (!exchange.body.isValidJson) {
    sendJson(exchange.response, 400, geminiErrorBody(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    return true;
  }
  const model = decodeURIComponent(generate?.[1] ?? "");
  const stream = generate?.[2] === "streamGenerateContent";
  const promptTexts = [...collectPromptTexts(bodyField(exchange, "systemInstruction")), ...collectPromptTexts(bodyField(exchange, "contents"))];
  const turn = withCacheUse(exchange.scripts.nextTurn(model), exchange.scripts.behaviourOf(model), () => exchange.scripts.promptCache.automatic("gemini", model, promptTexts));
  const generationConfig = bodyField(exchange, "generationConfig") as { maxOutputTokens?: unknown } | undefined;
  const answer = settleAnswer(model, promptTexts, turn, outputCapOf(generationConfig?.maxOutputTokens));
  await answerChatTurn(exchange.response, createGeminiDialect(), answer, turn, stream);
  return true;
};
