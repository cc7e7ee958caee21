/** Ollama routes: chat, generate, tags, pull, show and version, as a local `ollama serve` answers them. */
import { createHash } from "node:crypto";
import { answerChatTurn, collectPromptTexts } from "../chat-turn.js";
import { createOllamaDialect, ollamaModelNotFoundReply, type OllamaEndpoint } from "../dialects/ollama.js";
import { settleAnswer } from "../fake-answer.js";
import { sendJson, waitUnlessClosed, writeAndFlush } from "../http-exchange.js";
import { bodyField, outputCapOf, type Exchange, type Route } from "./route.js";

/** Ollama treats `llama3.2` and `llama3.2:latest` as the same model. */
export function normaliseOllamaModel(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

/** Ollama's context length when neither the request (`options.num_ctx`) nor the model sets one (its docs' context-length page). */
export const ollamaDefaultContextLength = 4096;

/**
 * Prompt tokens Ollama keeps of a prompt longer than its context: it never refuses a chat for
 * length, it drops the start and answers 200, and `prompt_eval_count` is the only trace. Measured
 * by users and confirmed by a maintainer: half the window plus two (ollama/ollama#17427: 32770 of
 * a 65536 window; #17889: 2050 of 4096; the open feature request #3839 "Detect Truncation").
 */
export function ollamaKeptPromptTokens(contextLength: number): number {
  return Math.floor(contextLength / 2) + 2;
}

/** A model name the fake registry does not have, so a pull can fail as it really does. */
const missingFromRegistry = /^does-not-exist/;

function modelDetails(): Record<string, unknown> {
  return {
    parent_model: "",
    format: "gguf",
    family: "llama",
    families: ["llama"],
    parameter_size: "3.2B",
    quantization_level: "Q4_K_M",
  };
}

function digestOf(name: string): string {
  return createHash("sha256").update(name).digest("hex");
}

async function generate(exchange: Exchange, endpoint: OllamaEndpoint): Promise<true> {
  const model = bodyField(exchange, "model");
  if (!exchange.body.isValidJson || typeof model !== "string") {
    sendJson(exchange.response, 400, { error: "model is required" });
    return true;
  }
  if (!exchange.ollamaModels.has(normaliseOllamaModel(model))) {
    const notFound = ollamaModelNotFoundReply(model);
    sendJson(exchange.response, notFound.status, notFound.body);
    return true;
  }
  const promptTexts =
    endpoint === "chat"
      ? collectPromptTexts(bodyField(exchange, "messages"))
      : [...collectPromptTexts(bodyField(exchange, "system")), ...collectPromptTexts(bodyField(exchange, "prompt"))];
  const options = bodyField(exchange, "options") as { num_predict?: unknown; num_ctx?: unknown } | undefined;
  const contextLength = outputCapOf(options?.num_ctx) ?? ollamaDefaultContextLength;
  const scripted = exchange.scripts.nextTurn(model);
  // A scripted `context_length` fault is an over-long prompt, which Ollama answers like any other.
  const overflowScripted = scripted.fault?.type === "context_length";
  const turn = overflowScripted ? { ...scripted, fault: undefined } : scripted;
  const settled = settleAnswer(model, promptTexts, turn, outputCapOf(options?.num_predict));
  const overflows = overflowScripted || settled.inputTokens > contextLength;
  const keptTokens = ollamaKeptPromptTokens(contextLength);
  const answer = overflows ? { ...settled, inputTokens: keptTokens, cachedInputTokens: Math.min(settled.cachedInputTokens, keptTokens) } : settled;
  // Ollama streams unless told `stream: false`.
  await answerChatTurn(exchange.response, createOllamaDialect(endpoint), answer, turn, bodyField(exchange, "stream") !== false);
  return true;
}

function listTags(exchange: Exchange): true {
  const models = [...exchange.ollamaModels].map((name) => ({
    name,
    model: name,
    modified_at: "2025-01-01T00:00:00Z",
    size: 2_019_393_189,
    digest: digestOf(name),
    details: modelDetails(),
  }));
  sendJson(exchange.response, 200, { models });
  return true;
}

async function pull(exchange: Exchange): Promise<true> {
  const model = bodyField(exchange, "model") ?? bodyField(exchange, "name");
  if (typeof model !== "string") {
    sendJson(exchange.response, 400, { error: "model is required" });
    return true;
  }
  if (missingFromRegistry.test(model)) {
    sendJson(exchange.response, 500, { error: "pull model manifest: file does not exist" });
    return true;
  }
  const total = 2_019_377_376;
  const digest = `sha256:${digestOf(model)}`;
  const progress = [
    { status: "pulling manifest" },
    ...[0.25, 0.5, 1].map((share) => ({ status: `pulling ${digestOf(model).slice(0, 12)}`, digest, total, completed: Math.round(total * share) })),
    { status: "verifying sha256 digest" },
    { status: "writing manifest" },
    { status: "success" },
  ];
  exchange.ollamaModels.add(normaliseOllamaModel(model));
  if (bodyField(exchange, "stream") === false) {
    sendJson(exchange.response, 200, { status: "success" });
    return true;
  }
  exchange.response.writeHead(200, { "content-type": "application/x-ndjson" });
  for (const line of progress) {
    await writeAndFlush(exchange.response, `${JSON.stringify(line)}\n`);
    if (!(await waitUnlessClosed(exchange.response, 1))) return true;
  }
  exchange.response.end();
  return true;
}

function show(exchange: Exchange): true {
  const model = bodyField(exchange, "model") ?? bodyField(exchange, "name");
  if (typeof model !== "string" || !exchange.ollamaModels.has(normaliseOllamaModel(model))) {
    sendJson(exchange.response, 404, { error: `model '${String(model)}' not found` });
    return true;
  }
  sendJson(exchange.response, 200, {
    modelfile: `FROM ${model}`,
    parameters: "stop \"<|eot_id|>\"",
    template: "{{ .Prompt }}",
    details: modelDetails(),
    model_info: { "general.architecture": "llama", "llama.context_length": 131072 },
    capabilities: ["completion"],
    modified_at: "2025-01-01T00:00:00Z",
  });
  return true;
}

export const ollamaRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  const method = exchange.method;
  if (method === "POST" && path === "/api/chat") return generate(exchange, "chat");
  if (method === "POST" && path === "/api/generate") return generate(exchange, "generate");
  if (method === "GET" && path === "/api/tags") return listTags(exchange);
  if (method === "POST" && path === "/api/pull") return pull(exchange);
  if (method === "POST" && path === "/api/show") return show(exchange);
  if (method === "GET" && path === "/api/version") {
    sendJson(exchange.response, 200, { version: "0.12.0" });
    return true;
  }
  return false;
};
