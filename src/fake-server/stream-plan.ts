/**
 * A streamed answer as three lists of already-encoded frames (SSE events or NDJSON lines), so one
 * function can apply every stream fault the same way for all providers.
 */
import type { ServerResponse } from "node:http";
import type { FakeTurn } from "./behaviour.js";
import { resetConnection, waitUnlessClosed, writeAndFlush } from "./http-exchange.js";

export interface StreamPlan {
  contentType: string;
  /** Frames before the first piece of text (message start, role). */
  head: string[];
  /** One frame per piece of text. */
  content: string[];
  /** Frames that finish the stream: stop reason, final usage, terminator. */
  tail: string[];
  /** A frame of this format whose payload is not valid JSON. */
  malformedFrame: string;
  /** The provider's error event inside a 200 stream (an overload after the answer started). */
  errorFrame: string;
}

/** Sends a planned stream, applying the turn's stream fault if it has one. */
export async function sendStream(response: ServerResponse, plan: StreamPlan, turn: FakeTurn): Promise<void> {
  response.writeHead(200, { "content-type": plan.contentType, "cache-control": "no-cache", connection: "keep-alive" });
  const fault = turn.fault;
  for (const frame of plan.head) await writeAndFlush(response, frame);

  const stopsEarly = fault?.type === "reset" || fault?.type === "stream_error";
  const contentLimit = stopsEarly ? Math.min(fault.afterChunks ?? 1, plan.content.length) : plan.content.length;
  for (let index = 0; index < contentLimit; index += 1) {
    if (index > 0 && !(await waitUnlessClosed(response, turn.chunkDelayMs))) return;
    await writeAndFlush(response, plan.content[index] ?? "");
    if (fault?.type === "malformed_json") {
      await writeAndFlush(response, plan.malformedFrame);
      response.end();
      return;
    }
  }
  if (fault?.type === "malformed_json") {
    // Only reached when the answer had no text to send before the broken frame.
    await writeAndFlush(response, plan.malformedFrame);
    response.end();
    return;
  }
  if (fault?.type === "reset") {
    resetConnection(response);
    return;
  }
  if (fault?.type === "stream_error") {
    await writeAndFlush(response, plan.errorFrame);
    response.end();
    return;
  }
  if (fault?.type !== "truncated_stream") {
    for (const frame of plan.tail) await writeAndFlush(response, frame);
  }
  response.end();
}

/** Encodes one server-sent event; Anthropic names its events, OpenAI and Gemini do not. */
export function serverSentEvent(data: unknown, eventName?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${eventName === undefined ? "" : `event: ${eventName}\n`}data: ${payload}\n\n`;
}
