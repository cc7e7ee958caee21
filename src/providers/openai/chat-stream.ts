/** Reads a chat-completions stream into text, stop reason and the final usage chunk. */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";

export interface ChatStreamProgress {
  text: string;
  model: string | undefined;
  finishReason: string | undefined;
  /** Only in the last chunk (`stream_options.include_usage`); undefined until then. */
  usage: CompletionUsage | undefined;
}

export function emptyChatStreamProgress(): ChatStreamProgress {
  return { text: "", model: undefined, finishReason: undefined, usage: undefined };
}

/** Accumulates into `progress` as chunks arrive, so a caller that catches an error knows what came. */
export async function readChatStream(stream: AsyncIterable<ChatCompletionChunk>, progress: ChatStreamProgress): Promise<void> {
  for await (const chunk of stream) {
    progress.model ??= chunk.model;
    if (chunk.usage) progress.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    progress.text += choice.delta.content ?? "";
    if (choice.finish_reason) progress.finishReason = choice.finish_reason;
  }
}
