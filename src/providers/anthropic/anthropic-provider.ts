/** The `anthropic` provider: Claude through @anthropic-ai/sdk's Messages API. */
import Anthropic from "@anthropic-ai/sdk";
import type { HttpApiProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import type { ProbingProvider } from "../probe.js";
import { anthropicSdkApiVersion, apiVersionOf } from "../model-capabilities.js";
import { providerTraits } from "../provider-traits.js";
import type { ProviderRequest, ProviderResponse } from "../provider.js";
import { abortError } from "../shared/abort.js";
import { resolveApiKey } from "../shared/api-key.js";
import { keyedHttpProvider } from "../shared/keyed-http-provider.js";
import { plainFailureError, type FailureReport } from "../shared/provider-failure.js";
import { partialUsage } from "../shared/token-estimate.js";
import { anthropicBatch } from "./anthropic-batch.js";
import { normaliseAnthropicError } from "./anthropic-errors.js";
import { buildMessagesBody } from "./messages-request.js";
import { emptyMessagesStreamProgress, readMessagesStream } from "./messages-stream.js";
import { tokenUsageOf, usageOf } from "./messages-usage.js";

export const anthropicDefaultBaseUrl = "https://api.anthropic.com";

export function createAnthropicProvider(id: string, settings: HttpApiProvider, context: ProviderContext): ProbingProvider {
  const apiKey = resolveApiKey("anthropic", settings, context);
  const client =
    apiKey.value === undefined
      ? undefined
      : new Anthropic({
          apiKey: apiKey.value,
          // Always explicit, so ANTHROPIC_BASE_URL in the shell cannot redirect a policy's calls.
          baseURL: settings.base_url ?? anthropicDefaultBaseUrl,
          // orch retries (with its own limits and events); the SDK must not retry underneath.
          maxRetries: 0,
          ...(settings.headers === undefined ? {} : { defaultHeaders: settings.headers }),
          logLevel: "off",
        });
  const secrets = [apiKey.value];
  const apiVersion = apiVersionOf("anthropic", settings.headers) ?? anthropicSdkApiVersion;

  async function callStreaming(anthropic: Anthropic, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    const progress = emptyMessagesStreamProgress();
    const report = (): FailureReport => ({
      providerId: id,
      secrets,
      // message_start gave the prompt's tokens; output is counted again from the text received.
      usage: partialUsage(request.messages, progress.text, progress.usage === undefined ? {} : tokenUsageOf(progress.usage)),
    });
    let stream: AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>;
    try {
      stream = await anthropic.messages.create({ ...buildMessagesBody(request, apiVersion), stream: true }, { signal });
    } catch (error) {
      throw normaliseAnthropicError(error, { providerId: id, secrets }, signal);
    }
    try {
      await readMessagesStream(stream, progress);
    } catch (error) {
      throw normaliseAnthropicError(error, report(), signal);
    }
    // The SDK ends an aborted stream quietly, so the abort has to be noticed here.
    if (signal.aborted) throw abortError(id, signal, report().usage);
    if (!progress.stopped || progress.usage === undefined) {
      throw plainFailureError(report(), "network", "the stream ended before message_stop");
    }
    return {
      text: progress.text,
      usage: tokenUsageOf(progress.usage),
      model: progress.model ?? request.model,
      latencyMs: Math.round(performance.now() - started),
      ...(progress.stopReason === undefined ? {} : { finishReason: progress.stopReason }),
    };
  }

  async function callOnce(anthropic: Anthropic, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    try {
      const message = await anthropic.messages.create({ ...buildMessagesBody(request, apiVersion), stream: false }, { signal });
      const text = message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
      return {
        text,
        ...usageOf(message),
        model: message.model,
        latencyMs: Math.round(performance.now() - started),
        ...(message.stop_reason === null ? {} : { finishReason: message.stop_reason }),
      };
    } catch (error) {
      throw normaliseAnthropicError(error, { providerId: id, secrets }, signal);
    }
  }

  const provider = keyedHttpProvider({
    id,
    type: "anthropic",
    traits: providerTraits.anthropic,
    client,
    keyVariable: apiKey.variable,
    stream: settings.stream === true,
    callOnce,
    callStreaming,
    listModels: async (anthropic, signal) => (await anthropic.models.list(undefined, { signal })).data.map((model) => model.id),
    describeError: (error, signal) => normaliseAnthropicError(error, { providerId: id, secrets }, signal).message,
  });
  return client === undefined ? provider : { ...provider, batch: anthropicBatch(client, id, secrets, apiVersion) };
}
