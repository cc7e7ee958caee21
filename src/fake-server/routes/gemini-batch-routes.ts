/**
 * Gemini batch mode, in the API's wire shapes (ai.google.dev/api/batch-api, and what @google/genai
 * sends and reads):
 * `POST /v1beta/models/{model}:batchGenerateContent` with
 * `{ batch: { displayName, inputConfig: { requests: { requests: [{ request, metadata: { key } }] } } } }`
 * answers a long-running operation `{ name: "batches/…", metadata: GenerateContentBatch }`;
 * `GET /v1beta/batches/{id}` answers the same operation, whose `metadata.state` is a
 * `BATCH_STATE_*` and, once the batch has ended, `metadata.output.inlinedResponses.inlinedResponses[]`
 * holds one `{ response | error, metadata }` per request (also under the operation's `response`, and
 * `done: true`; a failed batch carries the operation's `error`). Counts in `batchStats` are int64s,
 * sent as strings. No key is a 403, no requests a 400 INVALID_ARGUMENT, an unknown batch a 404, a
 * model scripted `batch: { refused: true }` a 429 RESOURCE_EXHAUSTED (its enqueued-token limit).
 * Each call is answered by its model's script, as a synchronous call is, and meets the same
 * implicit prompt cache (prompt-cache.ts), so a batched call reports `cachedContentTokenCount` too.
 */
import { collectPromptTexts } from "../chat-turn.js";
import { isErrorFault } from "../dialects/dialect.js";
import { createGeminiDialect, geminiErrorBody, geminiMissingKeyReply } from "../dialects/gemini.js";
import { settleAnswer } from "../fake-answer.js";
import type { FakeBatch, FakeBatchResult } from "../fake-batches.js";
import { sendJson } from "../http-exchange.js";
import { withCacheUse } from "../prompt-cache.js";
import { header, outputCapOf, type Exchange, type Route } from "./route.js";

type Body = Record<string, unknown>;

const createPath = /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/;
const batchPath = /^\/v1beta\/batches\/([^/]+)$/;
const batchType = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
const outputType = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";

interface InlinedRequest {
  request?: Body;
  metadata?: Record<string, unknown>;
}

function answerCall(exchange: Exchange, model: string, customId: string, request: Body): FakeBatchResult {
  const promptTexts = [...collectPromptTexts(request["systemInstruction"]), ...collectPromptTexts(request["contents"])];
  const turn = withCacheUse(exchange.scripts.nextTurn(model), exchange.scripts.behaviourOf(model), () => exchange.scripts.promptCache.automatic("gemini", model, promptTexts));
  const generationConfig = request["generationConfig"] as { maxOutputTokens?: unknown } | undefined;
  const answer = settleAnswer(model, promptTexts, turn, outputCapOf(generationConfig?.maxOutputTokens));
  const dialect = createGeminiDialect();
  if (turn.fault !== undefined && isErrorFault(turn.fault)) {
    const reply = dialect.errorReply(turn.fault, answer).body as { error: { code: number; message: string } };
    return { customId, error: reply.error.message, status: reply.error.code };
  }
  return { customId, body: dialect.completeBody(answer) };
}

function inlinedResponses(batch: FakeBatch): Body[] {
  const results = batch.schedule.reversed ? [...batch.results].reverse() : batch.results;
  return results.map((result) => ({
    ...("body" in result ? { response: result.body } : { error: { code: result.status ?? 400, message: result.error } }),
    ...(batch.schedule.omitKeys ? {} : { metadata: { key: result.customId } }),
  }));
}

function batchOperation(batch: FakeBatch, ended: boolean): Body {
  const outcome = ended ? batch.schedule.outcome : undefined;
  const state =
    outcome === undefined ? (batch.polls === 0 ? "BATCH_STATE_PENDING" : "BATCH_STATE_RUNNING")
    : outcome === "complete" ? "BATCH_STATE_SUCCEEDED"
    : outcome === "expire" ? "BATCH_STATE_EXPIRED"
    : "BATCH_STATE_FAILED";
  const total = batch.results.length;
  const answered = batch.results.filter((result) => "body" in result).length;
  const output = outcome === "complete" ? { inlinedResponses: { inlinedResponses: inlinedResponses(batch) } } : undefined;
  const created = new Date(batch.createdAt * 1000).toISOString();
  const name = `batches/${batch.id}`;
  return {
    name,
    metadata: {
      "@type": batchType,
      model: `models/${batch.model ?? ""}`,
      displayName: batch.displayName ?? "",
      createTime: created,
      updateTime: ended ? new Date().toISOString() : created,
      ...(ended ? { endTime: new Date().toISOString() } : {}),
      batchStats: {
        requestCount: String(total),
        ...(outcome === undefined ? { pendingRequestCount: String(total) } : {}),
        ...(outcome === "complete" ? { successfulRequestCount: String(answered), ...(answered < total ? { failedRequestCount: String(total - answered) } : {}) } : {}),
        ...(outcome === "fail" ? { failedRequestCount: String(total) } : {}),
      },
      state,
      ...(output === undefined ? {} : { output }),
      name,
    },
    ...(ended ? { done: true } : {}),
    ...(output === undefined ? {} : { response: { "@type": outputType, ...output } }),
    ...(outcome === "fail" ? { error: { code: 3, message: "the fake batch was scripted to fail" } } : {}),
  };
}

export const geminiBatchRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  const create = exchange.method === "POST" ? createPath.exec(path) : null;
  const retrieve = exchange.method === "GET" ? batchPath.exec(path) : null;
  if (create === null && retrieve === null) return false;
  if (header(exchange, "x-goog-api-key") === undefined && !exchange.url.searchParams.has("key")) {
    const missing = geminiMissingKeyReply();
    sendJson(exchange.response, missing.status, missing.body);
    return true;
  }
  const batches = exchange.scripts.batches;
  if (retrieve !== null) {
    const batch = batches.batches.get(decodeURIComponent(retrieve[1]!));
    if (batch === undefined || batch.vendor !== "gemini") sendJson(exchange.response, 404, geminiErrorBody(404, "NOT_FOUND", `Batch batches/${retrieve[1]} not found.`));
    else sendJson(exchange.response, 200, batchOperation(batch, batches.poll(batch)));
    return true;
  }
  if (!exchange.body.isValidJson) {
    sendJson(exchange.response, 400, geminiErrorBody(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    return true;
  }
  const model = decodeURIComponent(create?.[1] ?? "");
  const batchBody = ((exchange.body.json ?? {}) as Body)["batch"] as Body | undefined;
  const inputConfig = batchBody?.["inputConfig"] as { requests?: { requests?: unknown } } | undefined;
  const requests = inputConfig?.requests?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    sendJson(exchange.response, 400, geminiErrorBody(400, "INVALID_ARGUMENT", "* BatchGenerateContentRequest.batch.input_config.requests: requests must not be empty\n"));
    return true;
  }
  const schedule = exchange.scripts.behaviourOf(model).batch ?? {};
  if (schedule.refused === true) {
    sendJson(exchange.response, 429, geminiErrorBody(429, "RESOURCE_EXHAUSTED", `Enqueued batch token limit reached for model ${model}. Please wait for running batches to finish and try again.`));
    return true;
  }
  const results = (requests as InlinedRequest[]).map((inlined, index) =>
    answerCall(exchange, model, String(inlined.metadata?.["key"] ?? `request-${index}`), inlined.request ?? {}),
  );
  const batch = batches.add("gemini", schedule, results, { model, displayName: String(batchBody?.["displayName"] ?? "") });
  sendJson(exchange.response, 200, batchOperation(batch, false));
  return true;
};
