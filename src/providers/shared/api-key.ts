/** Finding a provider's key: only ever from the variable the policy names (or the default). */
import type { ProviderContext } from "../context.js";
import { ProviderError } from "../provider-error.js";
import { loadEnvironment } from "./environment.js";

export const defaultKeyVariables = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
} as const;

export interface ApiKey {
  /** The variable that holds (or should hold) the key. */
  variable: string;
  /** The key, or undefined when the variable is unset or empty. */
  value: string | undefined;
}

export function resolveApiKey(
  type: keyof typeof defaultKeyVariables,
  settings: { api_key_env?: string },
  context: Pick<ProviderContext, "env" | "workingDirectory">,
): ApiKey {
  const variable = settings.api_key_env ?? defaultKeyVariables[type];
  const value = loadEnvironment(context)[variable]?.trim();
  return { variable, value: value === "" ? undefined : value };
}

/** The sentence that tells the user exactly what to set. */
export function missingKeyReason(variable: string): string {
  return `set ${variable} (in the environment or in .env)`;
}

export function missingKeyError(providerId: string, variable: string): ProviderError {
  return new ProviderError({
    kind: "auth",
    provider: providerId,
    message: `${providerId}: no API key: ${missingKeyReason(variable)}`,
  });
}
