/** ProviderRequest → generateContent parameters; the system prompt goes to `systemInstruction`. */
import type { GenerateContentParameters } from "@google/genai";
import type { ProviderRequest } from "../provider.js";
import { splitSystemPrompt } from "../shared/chat-messages.js";

export function buildGenerateParameters(request: ProviderRequest, signal: AbortSignal): GenerateContentParameters {
  const chat = splitSystemPrompt(request.messages);
  return {
    model: request.model,
    contents: chat.turns.map((turn) => ({ role: turn.role === "assistant" ? "model" : "user", parts: [{ text: turn.content }] })),
    config: {
      maxOutputTokens: request.maxTokens,
      abortSignal: signal,
      ...(chat.system === undefined ? {} : { systemInstruction: chat.system }),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.json === true ? { responseMimeType: "application/json" } : {}),
    },
  };
}
