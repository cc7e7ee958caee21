/**
 * Anthropic's Message Batches through the official SDK: `messages.batches.create` with one
 * `{ custom_id, params }` per call, `retrieve` to poll until `processing_status` is `ended`, then
 * `results` streams one JSONL line per call. All usage is billed at 50% of the standard price
 * (platform.claude.com/docs/en/build-with-claude/batch-processing, "Pricing").
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { BatchAnswer, BatchCapability, BatchState } from "../provider.js";
import { normaliseAnthropicError } from "./anthropic-errors.js";
import { buildMessagesBody } from "./messages-request.js";
import { usageOf } from "./messages-usage.js";

export function anthropicBatch(client: Anthropic, providerId: string, secrets: (string | undefined)[], apiVersion: string): BatchCapability {
  const guarded = async <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw normaliseAnthropicError(error, { providerId, secrets }, signal);
    }
  };
  return {
    submit: (entries, signal) =>
      guarded(signal, async () => {
        const requests = entries.map((entry) => ({ custom_id: entry.customId, params: { ...buildMessagesBody(entry.request, apiVersion), stream: false as const } }));
        const batch = await client.messages.batches.create({ requests }, { signal });
        return batch.id;
      }),
    poll: (batchId, signal) =>
      guarded(signal, async (): Promise<BatchState> => {
        const batch = await client.messages.batches.retrieve(batchId, {}, { signal });
        if (batch.processing_status !== "ended") {
          const counts = batch.request_counts;
          const done = counts.succeeded + counts.errored + counts.canceled + counts.expired;
          return { state: "pending", done, total: done + counts.processing };
        }
        const answers = new Map<string, BatchAnswer>();
        for await (const line of await client.messages.batches.results(batchId, {}, { signal })) {
          const result = line.result;
          if (result.type === "succeeded") {
            const message = result.message;
            answers.set(line.custom_id, {
              ok: true,
              response: {
                text: message.content.map((block) => (block.type === "text" ? block.text : "")).join(""),
                ...usageOf(message),
                model: message.model,
                latencyMs: 0,
                ...(message.stop_reason === null ? {} : { finishReason: message.stop_reason }),
              },
            });
          } else if (result.type === "errored") {
            answers.set(line.custom_id, { ok: false, expired: false, reason: result.error.error.message });
          } else {
            answers.set(line.custom_id, { ok: false, expired: true, reason: `the request was ${result.type} before it was answered` });
          }
        }
        const answered = [...answers.values()].some((answer) => answer.ok);
        if (!answered && [...answers.values()].every((answer) => !answer.ok && answer.expired)) return { state: "expired", reason: "the batch expired before answering" };
        return { state: "ended", answers };
      }),
  };
}
