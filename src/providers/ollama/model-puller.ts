/**
 * Makes sure a model is present before a call: lists the pulled models and, when allowed, pulls a
 * missing one with progress. A pull runs under the provider's own signal, not the call's: a model
 * download can outlast a call's timeout, and the retry should find it still going, not restart it.
 */
import type { ProviderContext } from "../context.js";
import { ProviderError } from "../provider-error.js";
import { normaliseModelName } from "./model-name.js";
import { ollamaClient } from "./ollama-client.js";
import { normaliseOllamaError } from "./ollama-errors.js";

export interface ModelPuller {
  /** Names of the pulled models (`name:tag`), from the server. */
  listModels(signal: AbortSignal): Promise<string[]>;
  ensurePresent(model: string, signal: AbortSignal): Promise<void>;
  close(): void;
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export function createModelPuller(options: {
  providerId: string;
  host: string;
  pull: boolean;
  headers?: Record<string, string>;
  context: ProviderContext;
}): ModelPuller {
  const { providerId, host } = options;
  const lifetime = new AbortController();
  const present = new Set<string>();
  const pulls = new Map<string, Promise<void>>();

  async function listModels(signal: AbortSignal): Promise<string[]> {
    const list = await ollamaClient(host, signal, options.headers).list();
    return list.models.map((model) => normaliseModelName(model.name));
  }

  async function pull(model: string): Promise<void> {
    const client = ollamaClient(host, lifetime.signal, options.headers);
    try {
      for await (const progress of await client.pull({ model, stream: true })) {
        options.context.onPullProgress?.({
          providerId,
          model,
          status: progress.status,
          ...(progress.completed === undefined ? {} : { completedBytes: progress.completed }),
          ...(progress.total === undefined ? {} : { totalBytes: progress.total }),
        });
      }
      present.add(normaliseModelName(model));
    } catch (error) {
      const failure = normaliseOllamaError(error, { providerId, secrets: [] }, lifetime.signal);
      throw new ProviderError({ kind: "unavailable", provider: providerId, message: `${providerId}: could not pull ${model}: ${failure.message}` });
    } finally {
      pulls.delete(model);
    }
  }

  async function ensurePresent(model: string, signal: AbortSignal): Promise<void> {
    const name = normaliseModelName(model);
    if (present.has(name)) return;
    for (const pulled of await listModels(signal)) present.add(pulled);
    if (present.has(name)) return;
    if (!options.pull) {
      throw new ProviderError({
        kind: "unavailable",
        provider: providerId,
        message: `${providerId}: model ${model} is not pulled; run \`ollama pull ${model}\` or set \`pull: true\` for this provider`,
      });
    }
    let pulling = pulls.get(model);
    if (pulling === undefined) {
      pulling = pull(model);
      pulls.set(model, pulling);
    }
    await Promise.race([pulling, untilAborted(signal)]);
  }

  return { listModels, ensurePresent, close: () => lifetime.abort() };
}
