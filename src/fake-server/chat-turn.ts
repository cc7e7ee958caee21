/** Answers one chat request in a dialect: latency first, then the scripted fault or the answer. */
import type { ServerResponse } from "node:http";
import type { FakeTurn } from "./behaviour.js";
import { isErrorFault, type ChatDialect } from "./dialects/dialect.js";
import type { FakeAnswer } from "./fake-answer.js";
import { resetConnection, sendJson, sendRawBody, waitForClientToLeave, waitUnlessClosed } from "./http-exchange.js";
import { sendStream } from "./stream-plan.js";

export async function answerChatTurn(
  response: ServerResponse,
  dialect: ChatDialect,
  answer: FakeAnswer,
  turn: FakeTurn,
  stream: boolean,
): Promise<void> {
  if (!(await waitUnlessClosed(response, turn.latencyMs))) return;
  const fault = turn.fault;
  if (fault !== undefined && isErrorFault(fault)) {
    const reply = dialect.errorReply(fault, answer);
    sendJson(response, reply.status, reply.body, reply.headers);
    return;
  }
  if (fault?.type === "hang") {
    await waitForClientToLeave(response);
    return;
  }
  if (stream) {
    await sendStream(response, dialect.streamPlan(answer), turn);
    return;
  }
  if (fault?.type === "reset") {
    resetConnection(response);
    return;
  }
  if (fault?.type === "stream_error") {
    // Without a stream the same failure is an ordinary 5xx answer.
    const reply = dialect.errorReply({ type: "server_error" }, answer);
    sendJson(response, reply.status, reply.body, reply.headers);
    return;
  }
  if (fault?.type === "malformed_json" || fault?.type === "truncated_stream") {
    // A body cut in half: what a dropped proxy connection or a crashed server leaves behind.
    const complete = JSON.stringify(dialect.completeBody(answer));
    sendRawBody(response, 200, complete.slice(0, Math.floor(complete.length / 2)));
    return;
  }
  sendJson(response, 200, dialect.completeBody(answer));
}

/** Every piece of prompt text in a request body, whatever the provider calls it. */
export function collectPromptTexts(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(collectPromptTexts);
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record["text"] === "string") return [record["text"]];
  return [...collectPromptTexts(record["content"]), ...collectPromptTexts(record["parts"])];
}
