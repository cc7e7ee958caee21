/**
 * A provider for any chat-completions server through the official openai SDK: OpenAI itself,
 * OpenRouter, and OpenAI-compatible servers reached through `base_url`.
 */
import OpenAI from "openai";
import type { CompletionUsage } from "openai/resources/completions";
import type { HttpApiProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import type { ProbingProvider } from "../probe.js";
import { providerTraits } from "../provider-traits.js";
import type { ProviderRequest, ProviderResponse } from "../provider.js";
import { abortError } from "../shared/abort.js";
import { resolveApiKey } from "../shared/api-key.js";
import { keyedHttpProvider } from "../shared/keyed-http-provider.js";
import { plainFailureError, type FailureReport } from "../shared/provider-failure.js";
import { partialUsage } from "../shared/token-estimate.js";
import { buildChatBody, type MaxTokensField } from "./chat-request.js";
import { emptyChatStreamProgress, readChatStream, type ChatStreamProgress } from "./chat-stream.js";
import { tokenUsageOf } from "./chat-usage.js";
import { openAiBatch } from "./openai-batch.js";
import { normaliseOpenAiError } from "./openai-errors.js";

export interface OpenAiCompatibleOptions {
  id: string;
  type: "openai" | "openrouter";
  settings: HttpApiProvider;
  context: ProviderContext;
  defaultBaseUrl: string;
  /** Headers sent unless the policy's `headers` override them. */
  defaultHeaders?: Record<string, string>;
  maxTokensField: MaxTokensField;
  /** A cost the server reports in its usage object (OpenRouter's `usage.cost`), in USD. */
  reportedCostOf?: (usage: CompletionUsage) => number | undefined;
}

export function createOpenAiCompatibleProvider(options: OpenAiCompatibleOptions): ProbingProvider {
  const { id, settings } = options;
  const apiKey = resolveApiKey(options.type, settings, options.context);
  const client =
    apiKey.value === undefined
      ? undefined
      : new OpenAI({
          apiKey: apiKey.value,
          baseURL: settings.base_url ?? options.defaultBaseUrl,
          // orch retries (with its own limits and events); the SDK must not retry underneath.
          maxRetries: 0,
          defaultHeaders: { ...options.defaultHeaders, ...settings.headers },
          // Explicit nulls stop the SDK from reading OPENAI_ORG_ID / OPENAI_PROJECT_ID behind the policy's back.
          organization: null,
          project: null,
          // The SDK's own logging could print request details; orch reports through its events.
          logLevel: "off",
        });
  const secrets = [apiKey.value];

  function finish(request: ProviderRequest, started: number, text: string, model: string | undefined, usage: CompletionUsage | undefined, finishReason: string | undefined): ProviderResponse {
    const reportedCostUsd = usage == null ? undefined : options.reportedCostOf?.(usage);
    return {
      text,
      // Some OpenAI-compatible servers omit usage: an estimate, marked so the call is charged its worst case.
      ...(usage == null ? { usage: partialUsage(request.messages, text), usageMissing: true as const } : { usage: tokenUsageOf(usage) }),
      model: model ?? request.model,
      latencyMs: Math.round(performance.now() - started),
      ...(reportedCostUsd === undefined ? {} : { reportedCostUsd }),
      ...(finishReason === undefined ? {} : { finishReason }),
    };
  }

  async function callStreaming(openai: OpenAI, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    const progress: ChatStreamProgress = emptyChatStreamProgress();
    const report = (): FailureReport => ({
      providerId: id,
      secrets,
      // The API sends usage only in the last chunk; a broken stream has estimates for what came.
      usage: partialUsage(request.messages, progress.text, progress.usage === undefined ? {} : tokenUsageOf(progress.usage)),
    });
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    try {
      stream = await openai.chat.completions.create(
        { ...buildChatBody(request, options.maxTokensField, options.type), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
    } catch (error) {
      throw normaliseOpenAiError(error, { providerId: id, secrets }, signal);
    }
    try {
      await readChatStream(stream, progress);
    } catch (error) {
      throw normaliseOpenAiError(error, report(), signal);
    }
    // The SDK ends an aborted stream quietly, so the abort has to be noticed here.
    if (signal.aborted) throw abortError(id, signal, report().usage);
    if (progress.finishReason === undefined) {
      throw plainFailureError(report(), "network", "the stream ended before the model finished (no finish_reason)");
    }
    return finish(request, started, progress.text, progress.model, progress.usage, progress.finishReason);
  }

  async function callOnce(openai: OpenAI, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    try {
      const completion = await openai.chat.completions.create({ ...buildChatBody(request, options.maxTokensField, options.type), stream: false }, { signal });
      const choice = completion.choices[0];
      return finish(request, started, choice?.message.content ?? "", completion.model, completion.usage, choice?.finish_reason ?? undefined);
    } catch (error) {
      throw normaliseOpenAiError(error, { providerId: id, secrets }, signal);
    }
  }

  const provider = keyedHttpProvider({
    id,
    type: options.type,
    traits: providerTraits[options.type],
    client,
    keyVariable: apiKey.variable,
    stream: settings.stream === true,
    callOnce,
    callStreaming,
    listModels: async (openai, signal) => (await openai.models.list({ signal })).data.map((model) => model.id),
    describeError: (error, signal) => normaliseOpenAiError(error, { providerId: id, secrets }, signal).message,
  });
  // OpenRouter's batch API is another shape; only OpenAI's own is driven.
  return options.type === "openai" && client !== undefined ? { ...provider, batch: openAiBatch(client, id, secrets, options.maxTokensField) } : provider;
}
