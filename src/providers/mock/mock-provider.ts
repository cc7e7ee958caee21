/**
 * The offline provider: deterministic answers without network, so the quickstart, CI and the
 * tests exercise routing, budgets and cost accounting for free. Answers are scripted in the
 * policy (per step, model or prompt text) or derived from the prompt. Usage is counted with the
 * same tokenizer as estimates; the cost comes from the policy's prices, like a paid model.
 */
import { createHash } from "node:crypto";
import type { MockProvider as MockProviderSettings, MockResponse } from "../../generated/routing-policy.js";
import { estimatePromptTokens, estimateTokens } from "../../policy/estimate-tokens.js";
import type { Provider, ProviderRequest, ProviderResponse } from "../provider.js";
import { ProviderError } from "../provider-error.js";

export interface MockProviderContext {
  sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>;
}

export function createMockProvider(id: string, settings: MockProviderSettings, context: MockProviderContext = {}): Provider {
  const sleep = context.sleep ?? abortableSleep;
  return {
    id,
    type: "mock",
    pricing: "metered",
    local: true,
    async call(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
      const started = performance.now();
      if (signal.aborted) throw abortedError(id);
      if (settings.latency_ms) await sleep(settings.latency_ms, signal).catch(() => Promise.reject(abortedError(id)));
      const scripted = findScriptedResponse(settings.responses ?? [], request);
      if (scripted?.error) {
        throw new ProviderError({
          kind: scripted.error.kind,
          provider: id,
          message: scripted.error.message ?? `scripted ${scripted.error.kind} error from mock provider "${id}"`,
        });
      }
      const text = scripted?.text ?? derivedAnswer(id, request);
      return {
        text,
        usage: { inputTokens: estimatePromptTokens(request.messages), outputTokens: Math.min(estimateTokens(text), request.maxTokens) },
        model: request.model,
        latencyMs: Math.round(performance.now() - started),
        finishReason: "stop",
        synthetic: true,
      };
    },
    async available() {
      return { available: true };
    },
  };
}

function findScriptedResponse(responses: readonly MockResponse[], request: ProviderRequest): MockResponse | undefined {
  const prompt = request.messages.map((message) => message.content).join("\n");
  return responses.find(
    (response) =>
      (response.step === undefined || response.step === request.origin.step) &&
      (response.model === undefined || response.model === request.model) &&
      (response.contains === undefined || prompt.includes(response.contains)),
  );
}

/** A stable answer that shows what the model was asked, so a reader can follow the data flow. */
function derivedAnswer(providerId: string, request: ProviderRequest): string {
  const prompt = request.messages.filter((message) => message.role === "user").map((message) => message.content).join("\n");
  const digest = createHash("sha256").update(prompt).digest("hex").slice(0, 8);
  if (request.json) return JSON.stringify({ mock: true, provider: providerId, model: request.model, step: request.origin.step, digest });
  const lines = prompt.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const excerpt = lines.slice(0, 3).map((line) => `> ${line.length > 100 ? `${line.slice(0, 97)}...` : line}`);
  return [
    `[mock answer ${digest} from ${providerId}:${request.model} for step "${request.origin.step}"]`,
    `The prompt had ${lines.length} non-empty lines and began:`,
    ...excerpt,
  ].join("\n");
}

function abortedError(provider: string): ProviderError {
  return new ProviderError({ kind: "aborted", provider, message: "the call was aborted" });
}

function abortableSleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
