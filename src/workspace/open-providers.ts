/**
 * The providers of a policy, ready for a run: created lazily by the registry (so an unused SDK is
 * never loaded), optionally recorded to a JSONL file (`--record`), with the secret values
 * collected so they can be scrubbed from anything written.
 */
import type { LoadedPolicy } from "../config/load-config.js";
import type { ProviderSet } from "../executor/run-pipeline.js";
import { answererOf } from "../providers/answerer.js";
import type { ProviderContext, ProviderWaitEvent } from "../providers/context.js";
import type { ProbingProvider } from "../providers/probe.js";
import { createProviderRegistry } from "../providers/registry.js";
import { loadEnvironment } from "../providers/shared/environment.js";
import { createRedactor, secretValuesOf } from "../secrets/redact.js";
import type { HistoryStore } from "../contracts/history-store.js";
import { localMidnight } from "../budget/calendar.js";

export interface OpenedProviders {
  set: ProviderSet;
  /** The providers' keys and every secret-looking variable (`.env` included), for redaction; never printed. */
  secrets: string[];
  close(): Promise<void>;
}

export interface OpenProvidersOptions {
  env: NodeJS.ProcessEnv;
  workingDirectory?: string;
  onWait?: (wait: { step: string; provider: string; reason: string; waitMs: number }) => void;
  /** `--record FILE`: every answer is appended to this JSONL recording, for `replay` providers. */
  recordTo?: string;
  /** Where past calls are counted, for `daily_call_cap` of subscription providers. */
  history?: HistoryStore;
}

export function openProviders(policy: LoadedPolicy, options: OpenProvidersOptions): OpenedProviders {
  const workingDirectory = options.workingDirectory ?? process.cwd();
  const env = { ...loadEnvironment({ env: options.env, workingDirectory }) };
  const context: ProviderContext = {
    env,
    workingDirectory,
    policyDirectory: policy.directory,
    ...(options.onWait
      ? { onWait: (wait: ProviderWaitEvent) => options.onWait!({ step: wait.origin.step, provider: wait.providerId, reason: wait.reason, waitMs: wait.waitMs ?? 0 }) }
      : {}),
    ...(options.history ? { callsToday: (providerId: string) => options.history!.callsSince(providerId, localMidnight().toISOString()) } : {}),
  };
  const secrets = [...new Set([...keyValues(policy, env), ...secretValuesOf(env)])];
  // The registry records under the retries (one line per answered attempt, with its cost); the
  // recording is written before the executor sees the answer, so it is scrubbed on its own way out.
  const registry = createProviderRegistry(
    policy.policy,
    context,
    options.recordTo === undefined ? {} : { recordTo: options.recordTo, redact: createRedactor(secrets) },
  );
  return {
    set: {
      get: (id: string): ProbingProvider => registry.get(id),
      all: () => registry.all(),
      answererOf: (id) => {
        const settings = Object.hasOwn(policy.policy.providers, id) ? policy.policy.providers[id] : undefined;
        return settings === undefined ? JSON.stringify(["unknown", id]) : answererOf(settings, { env, policyDirectory: policy.directory });
      },
    },
    secrets,
    close: () => registry.close(),
  };
}

const defaultKeyVariables: Record<string, string> = {
  openai: "OPENAI_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY",
};

function keyValues(policy: LoadedPolicy, env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>();
  for (const provider of Object.values(policy.policy.providers)) {
    const variable = "api_key_env" in provider && provider.api_key_env ? provider.api_key_env : defaultKeyVariables[provider.type];
    const value = variable ? env[variable] : undefined;
    if (value) secrets.add(value);
  }
  return [...secrets];
}
