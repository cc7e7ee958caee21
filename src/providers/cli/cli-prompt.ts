/** Rendering a chat as the plain text a command-line agent reads on stdin. */
import type { ChatMessage } from "../provider.js";

/**
 * A lone user message (with any system prompt before it) goes as is; a longer conversation is
 * labelled turn by turn, since a CLI has no roles of its own.
 */
export function renderPrompt(messages: readonly ChatMessage[]): string {
  const system = messages.filter((message) => message.role === "system").map((message) => message.content);
  const turns = messages.filter((message) => message.role !== "system");
  const [only] = turns;
  const conversation =
    turns.length === 1 && only?.role === "user"
      ? only.content
      : turns.map((message) => `${message.role === "user" ? "User" : "Assistant"}: ${message.content}`).join("\n\n");
  return [...system, conversation].join("\n\n");
}
