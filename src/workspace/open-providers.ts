/**
 * The providers of a policy, ready for a run: created lazily by the registry (so an unused SDK is
 * never loaded), with the secret values collected so they can be scrubbed from anything written.
 */
import type { LoadedPolicy } from "../config/load-config.js";
import type { ProviderSet } from "../executor/run-pipeline.js";
import type { ProviderWaitEvent as ProviderWait } from "../providers/context.js";
import { loadEnvironment } from "../providers/shared/environment.js";
import { createProviderRegistry } from "../providers/registry.js";

export interface OpenedProviders {
  set: ProviderSet;
  /** Values of the API-key variables the policy names, for redaction; never printed. */
  secrets: string[];
  close(): Promise<void>;
}

export function openProviders(
  policy: LoadedPolicy,
  options: { env: NodeJS.ProcessEnv; workingDirectory?: string; onWait?: (wait: Omit<ProviderWaitEvent, "type" | "at">) => void },
): OpenedProviders {
  const workingDirectory = options.workingDirectory ?? process.cwd();
  const env = { ...loadEnvironment({ env: options.env, workingDirectory }) };
  const registry = createProviderRegistry(policy.policy, {
    env,
    workingDirectory,
    policyDirectory: policy.directory,
    ...(options.onWait
      ? {
          onWait: (wait: ProviderWait) =>
            options.onWait!({ step: wait.origin.step, provider: wait.providerId, reason: wait.reason, waitMs: wait.waitMs ?? 0 }),
        }
      : {}),
  });
  return {
    set: registry,
    secrets: secretValues(policy, env),
    close: () => registry.close(),
  };
}

interface ProviderWaitEvent {
  type: "provider-wait";
  step: string;
  provider: string;
  reason: string;
  waitMs: number;
  at: string;
}

const defaultKeyVariables: Record<string, string> = {
  openai: "OPENAI_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY",
};

function secretValues(policy: LoadedPolicy, env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>();
  for (const provider of Object.values(policy.policy.providers)) {
    const variable = "api_key_env" in provider && provider.api_key_env ? provider.api_key_env : defaultKeyVariables[provider.type];
    const value = variable ? env[variable] : undefined;
    if (value) secrets.add(value);
  }
  return [...secrets];
}
