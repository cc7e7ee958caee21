/** Reads the Messages API's raw stream events into text, stop reason and cumulative usage. */
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import { mergeUsage, type AnthropicUsageNumbers } from "./messages-usage.js";

export interface MessagesStreamProgress {
  text: string;
  model: string | undefined;
  stopReason: string | undefined;
  /** From message_start (prompt) and message_delta (cumulative output); undefined before the start. */
  usage: AnthropicUsageNumbers | undefined;
  /** message_stop arrived: the stream is complete. */
  stopped: boolean;
}

export function emptyMessagesStreamProgress(): MessagesStreamProgress {
  return { text: "", model: undefined, stopReason: undefined, usage: undefined, stopped: false };
}

export async function readMessagesStream(stream: AsyncIterable<RawMessageStreamEvent>, progress: MessagesStreamProgress): Promise<void> {
  for await (const event of stream) {
    switch (event.type) {
      case "message_start":
        progress.model = event.message.model;
        progress.usage = { ...event.message.usage };
        break;
      case "content_block_delta":
        if (event.delta.type === "text_delta") progress.text += event.delta.text;
        break;
      case "message_delta":
        progress.stopReason = event.delta.stop_reason ?? progress.stopReason;
        progress.usage = mergeUsage(progress.usage ?? {}, event.usage);
        break;
      case "message_stop":
        progress.stopped = true;
        break;
      default:
        break;
    }
  }
}
