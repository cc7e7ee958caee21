/**
 * Batch endpoints, in each vendor's wire shapes (checked against the API references):
 * OpenAI: `POST /v1/files` (multipart, purpose `batch`, JSONL of `{custom_id, method, url, body}`),
 * `POST /v1/batches`, `GET /v1/batches/:id`, `GET /v1/files/:id/content` (JSONL of
 * `{id, custom_id, response: {status_code, request_id, body}, error}`).
 * Anthropic: `POST /v1/messages/batches`, `GET /v1/messages/batches/:id` (`processing_status`,
 * `request_counts`, `results_url` once ended), `GET .../results` (JSONL of `{custom_id, result}`).
 * Each call is answered by the same per-model scripts as a synchronous call, and meets the same
 * prompt cache (prompt-cache.ts): the vendors let batched calls read and write it, at batch prices.
 * The fake answers a batch's calls in order when it is created, so after the first call writes a
 * shared prefix every later one reads it: the best case. Real batches run calls in parallel and
 * hit the cache on a best-effort basis (Anthropic suggests the 1-hour lifetime for batches that
 * share a context, since a batch may take longer than 5 minutes).
 */
import { collectPromptTexts } from "../chat-turn.js";
import { createAnthropicDialect, anthropicErrorBody, anthropicMissingKeyReply } from "../dialects/anthropic.js";
import { isErrorFault } from "../dialects/dialect.js";
import { createOpenAiDialect, openAiErrorBody, openAiMissingKeyReply } from "../dialects/openai.js";
import { settleAnswer } from "../fake-answer.js";
import { markedPrefixOf, withCacheUse } from "../prompt-cache.js";
import type { FakeBatch, FakeBatchResult } from "../fake-batches.js";
import { sendJson, sendRawBody } from "../http-exchange.js";
import { bearerToken, header, outputCapOf, type Exchange, type Route } from "./route.js";

type Body = Record<string, unknown>;

/** Answers one call of a batch with the model's script, as the synchronous endpoint would. */
function answerCall(exchange: Exchange, vendor: FakeBatch["vendor"], customId: string, body: Body): FakeBatchResult {
  const model = String(body["model"] ?? "");
  const promptTexts = vendor === "openai" ? collectPromptTexts(body["messages"]) : [...collectPromptTexts(body["system"]), ...collectPromptTexts(body["messages"])];
  const cache = exchange.scripts.promptCache;
  const turn = withCacheUse(exchange.scripts.nextTurn(model), exchange.scripts.behaviourOf(model), () =>
    vendor === "openai" ? cache.automatic("openai", model, promptTexts) : cache.anthropic(model, markedPrefixOf(body["system"], body["messages"])),
  );
  const cap = outputCapOf(body["max_completion_tokens"]) ?? outputCapOf(body["max_tokens"]);
  const answer = settleAnswer(model, promptTexts, turn, cap);
  if (turn.fault !== undefined && isErrorFault(turn.fault)) return { customId, error: `scripted ${turn.fault.type}` };
  const dialect = vendor === "openai" ? createOpenAiDialect({ apiKey: "batch", includeUsage: true }) : createAnthropicDialect();
  return { customId, body: dialect.completeBody(answer) };
}

/** The first file part of a multipart body and its other fields (the openai SDK uploads with FormData). */
function multipartOf(exchange: Exchange): { fields: Record<string, string>; file?: { filename: string; content: string } } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(header(exchange, "content-type") ?? "");
  const fields: Record<string, string> = {};
  let file: { filename: string; content: string } | undefined;
  if (!boundary) return { fields };
  for (const part of exchange.body.text.split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const head = part.slice(0, split);
    const content = part.slice(split + 4).replace(/\r\n$/, "");
    const name = /name="([^"]*)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) file = { filename, content };
    else if (name !== undefined) fields[name] = content;
  }
  return { fields, ...(file ? { file } : {}) };
}

function openAiBatchBody(exchange: Exchange, batch: FakeBatch, ended: boolean): Body {
  const outcome = ended ? batch.schedule.outcome : undefined;
  const status = outcome === undefined ? "in_progress" : outcome === "complete" ? "completed" : outcome === "expire" ? "expired" : "failed";
  const answered = batch.results.filter((result) => "body" in result).length;
  const now = Math.floor(Date.now() / 1000);
  return {
    id: batch.id,
    object: "batch",
    endpoint: "/v1/chat/completions",
    errors: outcome === "fail" ? { object: "list", data: [{ code: "invalid_request", message: "the fake batch was scripted to fail", param: null, line: null }] } : null,
    input_file_id: batch.inputFileId ?? null,
    completion_window: "24h",
    status,
    output_file_id: outcome === "complete" ? (batch.outputFileId ??= exchange.scripts.batches.addFile(`${batch.id}_output.jsonl`, "batch_output", openAiOutputLines(batch)).id) : null,
    error_file_id: null,
    created_at: batch.createdAt,
    in_progress_at: batch.createdAt,
    expires_at: batch.createdAt + 86_400,
    finalizing_at: null,
    completed_at: outcome === "complete" ? now : null,
    failed_at: outcome === "fail" ? now : null,
    expired_at: outcome === "expire" ? now : null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: batch.results.length, completed: outcome === "complete" ? answered : 0, failed: outcome === "complete" ? batch.results.length - answered : 0 },
    metadata: null,
  };
}

function openAiOutputLines(batch: FakeBatch): string {
  return batch.results
    .map((result, index) =>
      JSON.stringify({
        id: `batch_req_${index}`,
        custom_id: result.customId,
        response: "body" in result ? { status_code: 200, request_id: `req_${index}`, body: result.body } : { status_code: 400, request_id: `req_${index}`, body: openAiErrorBody(result.error, "invalid_request_error", null) },
        error: null,
      }),
    )
    .join("\n") + "\n";
}

export const openAiBatchRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  const isBatchPath = path === "/v1/files" || path.startsWith("/v1/files/") || path === "/v1/batches" || path.startsWith("/v1/batches/");
  if (!isBatchPath) return false;
  if (bearerToken(exchange) === undefined) {
    const missing = openAiMissingKeyReply();
    sendJson(exchange.response, missing.status, missing.body);
    return true;
  }
  const batches = exchange.scripts.batches;
  if (exchange.method === "POST" && path === "/v1/files") {
    const { fields, file } = multipartOf(exchange);
    if (file === undefined || fields["purpose"] === undefined) {
      sendJson(exchange.response, 400, openAiErrorBody("'file' and 'purpose' are required", "invalid_request_error", null, "file"));
      return true;
    }
    const stored = batches.addFile(file.filename, fields["purpose"], file.content);
    sendJson(exchange.response, 200, { id: stored.id, object: "file", bytes: Buffer.byteLength(stored.content), created_at: stored.createdAt, filename: stored.filename, purpose: stored.purpose, status: "processed", status_details: null });
    return true;
  }
  const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
  if (exchange.method === "GET" && content) {
    const file = batches.files.get(content[1]!);
    if (file === undefined) sendJson(exchange.response, 404, openAiErrorBody(`No such File object: ${content[1]}`, "invalid_request_error", null, "id"));
    else sendRawBody(exchange.response, 200, file.content, "application/octet-stream");
    return true;
  }
  if (exchange.method === "POST" && path === "/v1/batches") {
    const body = (exchange.body.json ?? {}) as Body;
    const input = batches.files.get(String(body["input_file_id"] ?? ""));
    if (input === undefined || input.purpose !== "batch") {
      sendJson(exchange.response, 400, openAiErrorBody("input_file_id must name an uploaded file with purpose 'batch'", "invalid_request_error", null, "input_file_id"));
      return true;
    }
    const lines = input.content.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as { custom_id: string; body: Body });
    const schedule = exchange.scripts.behaviourOf(String(lines[0]?.body["model"] ?? "")).batch ?? {};
    const results = lines.map((line) => answerCall(exchange, "openai", line.custom_id, line.body));
    const batch = batches.add("openai", schedule, results, { inputFileId: input.id });
    sendJson(exchange.response, 200, openAiBatchBody(exchange, batch, false));
    return true;
  }
  const retrieve = /^\/v1\/batches\/([^/]+)$/.exec(path);
  if (exchange.method === "GET" && retrieve) {
    const batch = batches.batches.get(retrieve[1]!);
    if (batch === undefined) sendJson(exchange.response, 404, openAiErrorBody(`No such batch: ${retrieve[1]}`, "invalid_request_error", null, "batch_id"));
    else sendJson(exchange.response, 200, openAiBatchBody(exchange, batch, batches.poll(batch)));
    return true;
  }
  return false;
};

function anthropicBatchBody(exchange: Exchange, batch: FakeBatch, ended: boolean): Body {
  const outcome = ended ? batch.schedule.outcome : undefined;
  const answered = batch.results.filter((result) => "body" in result).length;
  const total = batch.results.length;
  const created = new Date(batch.createdAt * 1000);
  return {
    id: batch.id,
    type: "message_batch",
    processing_status: ended ? "ended" : "in_progress",
    request_counts: {
      processing: ended ? 0 : total,
      succeeded: outcome === "complete" ? answered : 0,
      errored: outcome === "complete" ? total - answered : outcome === "fail" ? total : 0,
      canceled: 0,
      expired: outcome === "expire" ? total : 0,
    },
    ended_at: ended ? new Date().toISOString() : null,
    created_at: created.toISOString(),
    expires_at: new Date(created.getTime() + 86_400_000).toISOString(),
    archived_at: null,
    cancel_initiated_at: null,
    results_url: ended ? `http://${header(exchange, "host") ?? "127.0.0.1"}/v1/messages/batches/${batch.id}/results` : null,
  };
}

function anthropicResultLines(batch: FakeBatch): string {
  const outcome = batch.schedule.outcome;
  return batch.results
    .map((result) => {
      const line =
        outcome === "expire" ? { type: "expired" }
        : outcome === "fail" || !("body" in result) ? { type: "errored", error: anthropicErrorBody("invalid_request_error", "error" in result ? result.error : "the fake batch was scripted to fail", "req_fake_batch") }
        : { type: "succeeded", message: result.body };
      return JSON.stringify({ custom_id: result.customId, result: line });
    })
    .join("\n") + "\n";
}

export const anthropicBatchRoute: Route = async (exchange) => {
  const path = exchange.url.pathname;
  if (path !== "/v1/messages/batches" && !path.startsWith("/v1/messages/batches/")) return false;
  if (header(exchange, "x-api-key") === undefined && bearerToken(exchange) === undefined) {
    const missing = anthropicMissingKeyReply();
    sendJson(exchange.response, missing.status, missing.body);
    return true;
  }
  const batches = exchange.scripts.batches;
  if (exchange.method === "POST" && path === "/v1/messages/batches") {
    const requests = ((exchange.body.json ?? {}) as Body)["requests"];
    if (!Array.isArray(requests) || requests.length === 0) {
      sendJson(exchange.response, 400, anthropicErrorBody("invalid_request_error", "requests: Field required", "req_fake_batch"));
      return true;
    }
    const calls = requests as { custom_id: string; params: Body }[];
    const schedule = exchange.scripts.behaviourOf(String(calls[0]?.params["model"] ?? "")).batch ?? {};
    const batch = batches.add("anthropic", schedule, calls.map((call) => answerCall(exchange, "anthropic", call.custom_id, call.params)));
    sendJson(exchange.response, 200, anthropicBatchBody(exchange, batch, false));
    return true;
  }
  const match = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path);
  const batch = match ? batches.batches.get(match[1]!) : undefined;
  if (exchange.method !== "GET" || batch === undefined) {
    sendJson(exchange.response, 404, anthropicErrorBody("not_found_error", `no batch at ${path}`, "req_fake_batch"));
    return true;
  }
  if (match?.[2] === undefined) {
    sendJson(exchange.response, 200, anthropicBatchBody(exchange, batch, batches.poll(batch)));
  } else if (!batches.ended(batch)) {
    sendJson(exchange.response, 400, anthropicErrorBody("invalid_request_error", "the batch is still processing", "req_fake_batch"));
  } else {
    sendRawBody(exchange.response, 200, anthropicResultLines(batch), "application/binary");
  }
  return true;
};
