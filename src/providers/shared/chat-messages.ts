/** Splitting a chat into the system prompt and the turns, for APIs that take them apart. */
import type { ChatMessage } from "../provider.js";

export interface SplitChat {
  /** All system messages joined by blank lines, or undefined when there were none. */
  system: string | undefined;
  turns: Array<{ role: "user" | "assistant"; content: string }>;
}

export function splitSystemPrompt(messages: readonly ChatMessage[]): SplitChat {
  const systemParts: string[] = [];
  const turns: SplitChat["turns"] = [];
  for (const message of messages) {
    if (message.role === "system") systemParts.push(message.content);
    else turns.push({ role: message.role, content: message.content });
  }
  return { system: systemParts.length === 0 ? undefined : systemParts.join("\n\n"), turns };
}
