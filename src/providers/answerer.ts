/**
 * What actually answers a call to a provider: its type, the endpoint the calls go to (base URL,
 * Ollama host, CLI command, recording file) and the API version spoken there. It is part of the
 * answer cache's key, so pointing the same provider name at another server never serves the
 * first server's answers. Worked out from the settings alone: no SDK is loaded for it.
 */
import path from "node:path";
import type { Provider as ProviderSettings } from "../generated/routing-policy.js";

/**
 * Where each HTTP provider type's calls go when the policy gives no `base_url`, and the API version
 * the SDK sends there (OpenAI-compatible APIs carry theirs in the URL path). These mirror the
 * defaults the provider modules pass to their SDKs; a test keeps the two in step.
 */
export const defaultEndpoints = {
  openai: { baseUrl: "https://api.openai.com/v1", apiVersion: "" },
  openrouter: { baseUrl: "https://openrouter.ai/api/v1", apiVersion: "" },
  anthropic: { baseUrl: "https://api.anthropic.com", apiVersion: "2023-06-01" },
  gemini: { baseUrl: "https://generativelanguage.googleapis.com", apiVersion: "v1beta" },
  ollama: { baseUrl: "http://127.0.0.1:11434", apiVersion: "" },
} as const;

/** Headers that carry credentials: they say who pays, not what answers, and stay out of the key. */
const credentialHeader = /authorization|api[-_]?key|token|secret|cookie/i;

export interface AnswererContext {
  env: NodeJS.ProcessEnv;
  /** Relative recording files are read from the policy's folder. */
  policyDirectory: string;
}

/** A stable text naming what answers; equal texts mean the same server, API version and settings. */
export function answererOf(settings: ProviderSettings, context: AnswererContext): string {
  switch (settings.type) {
    case "openai":
    case "openrouter":
    case "anthropic":
    case "gemini": {
      const fallback = defaultEndpoints[settings.type];
      const headers = Object.entries(settings.headers ?? {})
        .filter(([name]) => !credentialHeader.test(name))
        .map(([name, value]) => [name.toLowerCase(), value] as const)
        .sort(([left], [right]) => left.localeCompare(right));
      return JSON.stringify([settings.type, normaliseUrl(settings.base_url ?? fallback.baseUrl), fallback.apiVersion, headers]);
    }
    case "ollama": {
      // As the provider resolves it: the policy's host, else OLLAMA_HOST, else the local default.
      const host = settings.host ?? context.env["OLLAMA_HOST"] ?? defaultEndpoints.ollama.baseUrl;
      return JSON.stringify([settings.type, normaliseUrl(host)]);
    }
    case "cli":
      return JSON.stringify([settings.type, settings.command, settings.output ?? "text", settings.json_field ?? null]);
    case "replay":
      return JSON.stringify([settings.type, path.resolve(context.policyDirectory, settings.file)]);
    case "mock":
      // Offline answers come from the prompt and the policy's script: the script is what answers.
      return JSON.stringify([settings.type, settings.responses ?? []]);
  }
}

/** One spelling per server: scheme and host lower case, default port and trailing slashes dropped. */
function normaliseUrl(url: string): string {
  try {
    const parsed = new URL(url.includes("://") ? url : `http://${url}`);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url;
  }
}
