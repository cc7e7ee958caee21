/**
 * OpenAI's Batch API through the official SDK: the calls go up as one JSONL file
 * (`files.create`, purpose `batch`), `batches.create` starts them on `/v1/chat/completions` with the
 * 24-hour window, `batches.retrieve` polls, and the output file holds one chat completion per line,
 * keyed by `custom_id`. Billed at 50% of the synchronous price (OpenAI's Batch API FAQ,
 * help.openai.com/en/articles/9197833).
 */
import OpenAI, { toFile } from "openai";
import type { BatchAnswer, BatchCapability, BatchState, ProviderRequest } from "../provider.js";
import { buildChatBody, type MaxTokensField } from "./chat-request.js";
import { tokenUsageOf } from "./chat-usage.js";
import { normaliseOpenAiError } from "./openai-errors.js";

interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: OpenAI.Chat.Completions.ChatCompletion } | null;
  error?: { code?: string; message?: string } | null;
}

export function openAiBatch(client: OpenAI, providerId: string, secrets: (string | undefined)[], maxTokensField: MaxTokensField): BatchCapability {
  const guarded = async <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw normaliseOpenAiError(error, { providerId, secrets }, signal);
    }
  };
  const requests = new Map<string, ProviderRequest>();
  return {
    submit: (entries, signal) =>
      guarded(signal, async () => {
        const lines = entries.map((entry) => {
          requests.set(entry.customId, entry.request);
          return JSON.stringify({ custom_id: entry.customId, method: "POST", url: "/v1/chat/completions", body: { ...buildChatBody(entry.request, maxTokensField, "openai"), stream: false } });
        });
        const file = await client.files.create({ file: await toFile(Buffer.from(`${lines.join("\n")}\n`), "orch-batch.jsonl"), purpose: "batch" }, { signal });
        const batch = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }, { signal });
        return batch.id;
      }),
    poll: (batchId, signal) =>
      guarded(signal, async (): Promise<BatchState> => {
        const batch = await client.batches.retrieve(batchId, { signal });
        if (batch.status === "failed" || batch.status === "cancelled") {
          return { state: "failed", reason: batch.errors?.data?.map((error) => error.message).join("; ") || `the batch ${batch.status}` };
        }
        // An expired batch returns what it finished (billed); the rest has no answer.
        if (batch.status !== "completed" && batch.status !== "expired") {
          return { state: "pending", done: batch.request_counts?.completed ?? 0, total: batch.request_counts?.total ?? 0 };
        }
        const answers = new Map<string, BatchAnswer>();
        if (batch.output_file_id) {
          const text = await (await client.files.content(batch.output_file_id, { signal })).text();
          for (const line of text.split("\n").filter((piece) => piece.trim() !== "")) {
            const parsed = JSON.parse(line) as OutputLine;
            if (parsed.custom_id === undefined) continue;
            const completion = parsed.response?.body;
            if (completion && parsed.response?.status_code === 200) {
              const choice = completion.choices[0];
              answers.set(parsed.custom_id, {
                ok: true,
                response: {
                  text: choice?.message.content ?? "",
                  ...(completion.usage ? { usage: tokenUsageOf(completion.usage) } : { usage: { inputTokens: 0, outputTokens: 0 }, usageMissing: true as const }),
                  model: completion.model ?? requests.get(parsed.custom_id)?.model ?? "",
                  latencyMs: 0,
                  ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
                },
              });
            } else {
              answers.set(parsed.custom_id, { ok: false, expired: false, reason: parsed.error?.message ?? `status ${parsed.response?.status_code ?? "unknown"}` });
            }
          }
        }
        if (batch.status === "expired" && answers.size === 0) return { state: "expired", reason: "the batch expired before answering" };
        return { state: "ended", answers };
      }),
  };
}
