/** The `ollama` provider: models on this machine (or a LAN host) through the `ollama` package. */
import type { ChatRequest, ChatResponse } from "ollama";
import type { OllamaProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import type { ProbeResult, ProbingProvider } from "../probe.js";
import { providerTraits } from "../provider-traits.js";
import type { ProviderRequest, ProviderResponse } from "../provider.js";
import { abortError } from "../shared/abort.js";
import { loadEnvironment } from "../shared/environment.js";
import { plainFailureError } from "../shared/provider-failure.js";
import { partialUsage } from "../shared/token-estimate.js";
import { normaliseModelName } from "./model-name.js";
import { ollamaClient, ollamaDefaultHost } from "./ollama-client.js";
import { normaliseOllamaError } from "./ollama-errors.js";
import { tokenUsageOf } from "./ollama-usage.js";
import { createModelPuller } from "./model-puller.js";

/** How long `available()` waits for the server before calling it unreachable. */
const availabilityTimeoutMs = 3_000;

function chatRequestOf(request: ProviderRequest): ChatRequest {
  return {
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    options: {
      num_predict: request.maxTokens,
      // Without num_ctx Ollama uses its own default window and silently drops the start of a longer prompt.
      ...(request.contextWindow === undefined ? {} : { num_ctx: request.contextWindow }),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    },
    ...(request.json === true ? { format: "json" } : {}),
  };
}

export function createOllamaProvider(id: string, settings: OllamaProvider, context: ProviderContext): ProbingProvider {
  // The policy's host, else OLLAMA_HOST as the ollama CLI reads it, else the local default.
  const host = settings.host ?? loadEnvironment(context)["OLLAMA_HOST"] ?? ollamaDefaultHost;
  const puller = createModelPuller({ providerId: id, host, pull: settings.pull === true, context });

  function responseOf(request: ProviderRequest, started: number, text: string, final: ChatResponse): ProviderResponse {
    return {
      text,
      usage: tokenUsageOf(final, request.messages, text),
      model: final.model,
      latencyMs: Math.round(performance.now() - started),
      ...(final.done_reason ? { finishReason: final.done_reason } : {}),
    };
  }

  async function callStreaming(request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    let text = "";
    let final: ChatResponse | undefined;
    try {
      const stream = await ollamaClient(host, signal).chat({ ...chatRequestOf(request), stream: true });
      for await (const part of stream) {
        text += part.message.content;
        if (part.done) final = part;
      }
    } catch (error) {
      // Ollama reports counts only on the last line; a broken stream has estimates for what came.
      const usage = text === "" ? undefined : partialUsage(request.messages, text);
      throw normaliseOllamaError(error, { providerId: id, secrets: [], ...(usage === undefined ? {} : { usage }) }, signal);
    }
    if (signal.aborted) throw abortError(id, signal, partialUsage(request.messages, text));
    if (final === undefined) {
      throw plainFailureError({ providerId: id, secrets: [], usage: partialUsage(request.messages, text) }, "network", "the stream ended before the final done line");
    }
    return responseOf(request, started, text, final);
  }

  async function callOnce(request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    try {
      const response = await ollamaClient(host, signal).chat({ ...chatRequestOf(request), stream: false });
      return responseOf(request, started, response.message.content, response);
    } catch (error) {
      throw normaliseOllamaError(error, { providerId: id, secrets: [] }, signal);
    }
  }

  return {
    id,
    type: "ollama",
    ...providerTraits.ollama,

    async call(request, signal) {
      const started = performance.now();
      try {
        await puller.ensurePresent(request.model, signal);
      } catch (error) {
        throw normaliseOllamaError(error, { providerId: id, secrets: [] }, signal);
      }
      return settings.stream === true ? callStreaming(request, signal, started) : callOnce(request, signal, started);
    },

    async available(model) {
      let models: string[];
      const signal = AbortSignal.timeout(availabilityTimeoutMs);
      try {
        models = await puller.listModels(signal);
      } catch (error) {
        const failure = normaliseOllamaError(error, { providerId: id, secrets: [] }, signal);
        return { available: false, reason: `Ollama is not reachable at ${host} (${failure.message}); start it with \`ollama serve\`` };
      }
      if (model === undefined || models.includes(normaliseModelName(model))) return { available: true, models };
      if (settings.pull === true) return { available: true, reason: `${model} will be pulled before the first call`, models };
      return { available: false, reason: `${model} is not pulled; run \`ollama pull ${model}\` or set \`pull: true\``, models };
    },

    async probe(signal): Promise<ProbeResult> {
      try {
        return { reachable: true, models: await puller.listModels(signal) };
      } catch (error) {
        return { reachable: false, reason: `${normaliseOllamaError(error, { providerId: id, secrets: [] }, signal).message} (is \`ollama serve\` running at ${host}?)` };
      }
    },

    async close() {
      puller.close();
    },
  };
}
