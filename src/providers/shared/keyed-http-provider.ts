/**
 * The part every keyed HTTP provider (openai, openrouter, anthropic, gemini) has in common: no key
 * means unavailable with the variable to set, `stream` picks the streaming call, and a probe lists
 * models. Each provider supplies only what differs: its SDK calls and its error normalisation.
 */
import type { ProbeResult, ProbingProvider } from "../probe.js";
import type { PricingMode, ProviderRequest, ProviderResponse, ProviderType } from "../provider.js";
import { missingKeyError, missingKeyReason } from "./api-key.js";

export interface KeyedHttpProviderParts<Client> {
  id: string;
  type: ProviderType;
  traits: { pricing: PricingMode; local: boolean };
  /** Undefined when the key variable is not set. */
  client: Client | undefined;
  keyVariable: string;
  stream: boolean;
  callOnce(client: Client, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse>;
  callStreaming(client: Client, request: ProviderRequest, signal: AbortSignal, started: number): Promise<ProviderResponse>;
  listModels(client: Client, signal: AbortSignal): Promise<string[]>;
  /** The provider's own error normalisation, for a failed probe's reason. */
  describeError(error: unknown, signal: AbortSignal): string;
}

export function keyedHttpProvider<Client>(parts: KeyedHttpProviderParts<Client>): ProbingProvider {
  const { id, client, keyVariable } = parts;
  return {
    id,
    type: parts.type,
    ...parts.traits,

    async call(request, signal) {
      if (client === undefined) throw missingKeyError(id, keyVariable);
      const started = performance.now();
      return parts.stream ? parts.callStreaming(client, request, signal, started) : parts.callOnce(client, request, signal, started);
    },

    async available() {
      return client === undefined ? { available: false, reason: missingKeyReason(keyVariable) } : { available: true };
    },

    async probe(signal): Promise<ProbeResult> {
      if (client === undefined) return { reachable: false, reason: missingKeyReason(keyVariable) };
      try {
        return { reachable: true, models: await parts.listModels(client, signal) };
      } catch (error) {
        return { reachable: false, reason: parts.describeError(error, signal) };
      }
    },
  };
}
