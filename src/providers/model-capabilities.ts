/**
 * What a model family refuses, as data: a request never carries a parameter its model rejects.
 * Pure (no I/O, no imports but types), so the provider request builders and the policy engine's
 * route explanation read the same table.
 *
 * Sources (checked 2026; vendors change this, so each row says where it comes from):
 * - Anthropic API version 2026-10-21 removed `temperature`, `top_p` and `top_k` for every model: a
 *   request with any of them is a 400 "temperature: Extra inputs are not permitted", even at 1.0
 *   (platform.claude.com/docs/en/api/versioning; ttlequals0/MinusPod 2.101.10). @anthropic-ai/sdk 1.x,
 *   which orch uses, sends that version unless the policy's `headers` pin `anthropic-version`.
 * - Claude Opus 4.7 and later refuse `temperature` (also `top_p`, `top_k`, which orch never sends):
 *   HTTP 400 invalid_request_error "`temperature` is deprecated for this model." (BerriAI/litellm#26444,
 *   Comfy-Org/ComfyUI#13923 for claude-opus-4-7; OpenGradient/tee-gateway#79 and github/copilot-sdk#1557
 *   for claude-opus-4-8; github/app#2574 and OpenWhispr/openwhispr#1475 for the generation-5 models;
 *   Anthropic's own note, quoted in expectedparrot/edsl#2458: "deprecated for models released after
 *   Opus 4.6"). Sonnet 4.6 and Haiku 4.5 still take it. Leaving it out is always accepted.
 * - OpenAI reasoning models (o1, o3, o4-mini, the gpt-5 family but its `-chat` models) take only the
 *   default temperature: HTTP 400 "Unsupported value: 'temperature' does not support 0.2 with this
 *   model. Only the default (1) value is supported." code `unsupported_value` (OpenHands#4131 for
 *   o1-mini, johny-b/llmcomp#69 for gpt-5.4, owndev/Open-WebUI-Functions#98 for gpt-5). They also
 *   refuse `max_tokens` ("Use 'max_completion_tokens' instead.", code `unsupported_parameter`:
 *   teilomillet/gollm#33 for o1/o3-mini, griptape-ai/ComfyUI-Griptape#312 for gpt-5, and Azure's
 *   deployments the same, anomalyco/opencode#37964); the openai SDK documents `max_tokens` as
 *   "not compatible with o-series models" and `max_completion_tokens` as its successor.
 * - OpenRouter is left out on purpose: it drops sampling parameters a model does not take and
 *   answers (its Claude 4.7 migration guide: "silently ignored").
 */
import type { ProviderType } from "./provider.js";

/** A request parameter some models refuse; orch sends no other optional sampling parameter. */
export type RefusableParameter = "temperature";

/**
 * The `anthropic-version` @anthropic-ai/sdk sends by default (its client.js); a test checks the
 * installed SDK still sends it, so an SDK upgrade cannot change the API version unnoticed.
 */
export const anthropicSdkApiVersion = "2026-10-21";

export interface ModelCapabilityRule {
  /** The API types whose model names this row describes. */
  providerTypes: readonly ProviderType[];
  /** Applies from this API version on (ISO dates compare as strings); every version when absent. */
  apiVersionFrom?: string;
  /** Matches the provider's own model name (dated snapshots included). */
  models: RegExp;
  /** Parameters the API refuses for these models (a 400 that retrying cannot fix). */
  refuses: readonly RefusableParameter[];
  /** Set when the output cap must be sent as `max_completion_tokens` (chat completions). */
  outputCapField?: "max_completion_tokens";
  /** Why, in words for the route explanation. */
  why: string;
}

export const modelCapabilityRules: readonly ModelCapabilityRule[] = [
  {
    providerTypes: ["anthropic"],
    apiVersionFrom: "2026-10-21",
    models: /^/,
    refuses: ["temperature"],
    why: "Anthropic API version 2026-10-21 takes no temperature for any model",
  },
  {
    providerTypes: ["anthropic"],
    // claude-<family>-4-7 … 4-19 and every claude-<family>-5+ (not the dated claude-opus-4-20250514).
    models: /^claude-[a-z]+-(?:4-(?:[7-9]|1\d)|[5-9]|[1-9]\d)(?:-|$)/,
    refuses: ["temperature"],
    why: "Claude Opus 4.7 and later models accept only their default temperature",
  },
  {
    providerTypes: ["openai"],
    models: /^(?:o[1-9](?:-|$)|gpt-5(?:\.\d+)?(?:-(?!chat)|$))/,
    refuses: ["temperature"],
    outputCapField: "max_completion_tokens",
    why: "OpenAI reasoning models (o-series, gpt-5) accept only their default temperature",
  },
];

export interface ModelCapabilities {
  refuses: ReadonlySet<RefusableParameter>;
  outputCapField?: "max_completion_tokens";
  /** The sentence of the row that matched, for explanations. */
  why?: string;
}

/**
 * The API version a provider's requests carry: for Anthropic the policy's `anthropic-version`
 * header when it sets one, else the SDK's; other APIs have none that changes parameters.
 */
export function apiVersionOf(providerType: ProviderType | string, headers: Readonly<Record<string, string>> | undefined): string | undefined {
  if (providerType !== "anthropic") return undefined;
  const pinned = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === "anthropic-version");
  return pinned?.[1] ?? anthropicSdkApiVersion;
}

/** What the table says about one model of one API type (and version); nothing refused when no row matches. */
export function capabilitiesOf(providerType: ProviderType | string, model: string, apiVersion?: string): ModelCapabilities {
  const version = apiVersion ?? apiVersionOf(providerType, undefined);
  const rule = modelCapabilityRules.find(
    (row) =>
      (row.providerTypes as readonly string[]).includes(providerType) &&
      (row.apiVersionFrom === undefined || (version !== undefined && version >= row.apiVersionFrom)) &&
      row.models.test(model),
  );
  if (rule === undefined) return { refuses: new Set() };
  return { refuses: new Set(rule.refuses), ...(rule.outputCapField ? { outputCapField: rule.outputCapField } : {}), why: rule.why };
}

/** The request's parameters this model refuses, for the route explanation. */
export function refusedParameters(providerType: ProviderType | string, model: string, apiVersion: string | undefined, request: { temperature?: number }): RefusableParameter[] {
  const { refuses } = capabilitiesOf(providerType, model, apiVersion);
  return request.temperature !== undefined && refuses.has("temperature") ? ["temperature"] : [];
}
