/**
 * What the call log keeps of a call: the rendered messages and the answer, secrets scrubbed, or
 * only their hashes for a `sensitive` step and under the policy's `log: { prompts: hashes }`.
 * The same choice holds for the step JSON and the `--record` file, so a prompt kept out of one is
 * kept out of all.
 */
import { createHash } from "node:crypto";
import type { PipelineStep } from "../pipeline/model.js";
import type { ChatMessage } from "../providers/provider.js";
import type { CallText } from "../contracts/call-log-store.js";
import type { RunContext } from "./run-context.js";

export type PromptLogging = "full" | "hashes";

export function promptLoggingOf(context: Pick<RunContext, "policy">, step: Pick<PipelineStep, "sensitive">): PromptLogging {
  return step.sensitive || context.policy.log?.prompts === "hashes" ? "hashes" : "full";
}

/**
 * Scrubbed messages by the array the executor renders once per unit: every attempt of the unit
 * (and its step JSON) reuses the same array, so a prompt is scrubbed once, not once per attempt.
 */
const scrubbed = new WeakMap<readonly ChatMessage[], string>();

/** The messages as JSON, every content scrubbed of secrets. */
export function scrubbedMessagesJson(context: Pick<RunContext, "redact">, messages: readonly ChatMessage[]): string {
  let json = scrubbed.get(messages);
  if (json === undefined) {
    json = JSON.stringify(messages.map((message) => ({ role: message.role, content: context.redact(message.content) })));
    scrubbed.set(messages, json);
  }
  return json;
}

/** The row of `llm_call_texts` for one call. `answer` is already scrubbed (attempt.ts scrubs it where it enters). */
export function callTextOf(context: Pick<RunContext, "policy" | "redact">, step: PipelineStep, messages: readonly ChatMessage[], answer: string | undefined): CallText {
  // The answer's hash stands in for it only when it is not kept: hashing a kept answer would cost every call for nothing.
  if (promptLoggingOf(context, step) === "hashes") return { kept: "hashes", ...(answer === undefined ? {} : { answerSha256: sha256(answer) }) };
  return { kept: "full", messagesJson: scrubbedMessagesJson(context, messages), ...(answer === undefined ? {} : { answer }) };
}

/** What the step JSON says of the prompt a unit rendered: the messages, or their hash only. */
export type UnitPrompt = { prompt: ChatMessage[] } | { promptSha256: string };

export function promptOfUnit(context: Pick<RunContext, "policy" | "redact">, step: PipelineStep, messages: readonly ChatMessage[]): UnitPrompt {
  if (promptLoggingOf(context, step) === "hashes") return { promptSha256: sha256(JSON.stringify(messages)) };
  return { prompt: JSON.parse(scrubbedMessagesJson(context, messages)) as ChatMessage[] };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
