/** The `gemini` provider: the Gemini API through @google/genai (the maintained successor SDK). */
import { GoogleGenAI, type GenerateContentResponse, type GenerateContentResponseUsageMetadata } from "@google/genai";
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
import { geminiBatch } from "./gemini-batch.js";
import { normaliseGeminiError } from "./gemini-errors.js";
import { buildGenerateParameters } from "./gemini-request.js";
import { tokenUsageOf } from "./gemini-usage.js";

export const geminiDefaultBaseUrl = "https://generativelanguage.googleapis.com";

export function createGeminiProvider(id: string, settings: HttpApiProvider, context: ProviderContext): ProbingProvider {
  const apiKey = resolveApiKey("gemini", settings, context);
  const client =
    apiKey.value === undefined
      ? undefined
      : new GoogleGenAI({
          apiKey: apiKey.value,
          // Explicit, so GOOGLE_GENAI_USE_VERTEXAI in the shell cannot switch the backend.
          vertexai: false,
          // No retryOptions: the SDK then makes one attempt and orch does the retrying.
          httpOptions: {
            baseUrl: settings.base_url ?? geminiDefaultBaseUrl,
            ...(settings.headers === undefined ? {} : { headers: settings.headers }),
          },
        });
  const secrets = [apiKey.value];

  function responseOf(request: ProviderRequest, started: number, text: string, usage: GenerateContentResponseUsageMetadata, last: GenerateContentResponse | undefined): ProviderResponse {
    const finishReason = last?.candidates?.[0]?.finishReason;
    return {
      text,
      usage: tokenUsageOf(usage),
      model: last?.modelVersion ?? request.model,
      latencyMs: Math.round(performance.now() - started),
      ...(finishReason === undefined ? {} : { finishReason }),
    };
  }

  async function callStreaming(gemini: GoogleGenAI, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    let text = "";
    let usage: GenerateContentResponseUsageMetadata | undefined;
    let last: GenerateContentResponse | undefined;
    const report = (): FailureReport => ({
      providerId: id,
      secrets,
      // Each event repeats the prompt count; output is counted again from the text received.
      usage: partialUsage(request.messages, text, usage === undefined ? {} : tokenUsageOf(usage)),
    });
    try {
      const stream = await gemini.models.generateContentStream(buildGenerateParameters(request, signal));
      for await (const chunk of stream) {
        text += chunk.text ?? "";
        usage = chunk.usageMetadata ?? usage;
        last = chunk;
      }
    } catch (error) {
      throw normaliseGeminiError(error, text === "" && usage === undefined ? { providerId: id, secrets } : report(), signal);
    }
    if (signal.aborted) throw abortError(id, signal, report().usage);
    if (last?.candidates?.[0]?.finishReason === undefined || usage === undefined) {
      throw plainFailureError(report(), "network", "the stream ended before the model finished (no finishReason)");
    }
    return responseOf(request, started, text, usage, last);
  }

  async function callOnce(gemini: GoogleGenAI, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse> {
    let response: GenerateContentResponse;
    try {
      response = await gemini.models.generateContent(buildGenerateParameters(request, signal));
    } catch (error) {
      throw normaliseGeminiError(error, { providerId: id, secrets }, signal);
    }
    const text = response.text ?? "";
    // The API always sends usageMetadata; without it, an estimate, marked so the call is charged its worst case.
    if (response.usageMetadata === undefined) return { ...responseOf(request, started, text, {}, response), usage: partialUsage(request.messages, text), usageMissing: true };
    return responseOf(request, started, text, response.usageMetadata, response);
  }

  const provider = keyedHttpProvider({
    id,
    type: "gemini",
    traits: providerTraits.gemini,
    client,
    keyVariable: apiKey.variable,
    stream: settings.stream === true,
    callOnce,
    callStreaming,
    listModels: async (gemini, signal) => (await gemini.models.list({ config: { abortSignal: signal } })).page.map((model) => (model.name ?? "").replace(/^models\//, "")),
    describeError: (error, signal) => normaliseGeminiError(error, { providerId: id, secrets }, signal).message,
  });
  return client === undefined ? provider : { ...provider, batch: geminiBatch(client, id, secrets) };
}
