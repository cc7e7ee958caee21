/**
 * Turns a model reference from a policy (an alias from `models`, or `provider:model`) into the
 * provider and model to call. Pure: no I/O, so routing and config checks share it.
 */
import { didYouMean } from "../config/suggest.js";
import type { Model, Prices, RoutingPolicy } from "../generated/routing-policy.js";

export interface ResolvedModel {
  /** The reference as written in the policy. */
  reference: string;
  /** Set when the reference is an alias from `models`. */
  alias?: string;
  provider: string;
  /** The provider's own model name: everything after the first colon. */
  model: string;
  /** USD per million tokens, as the policy writes them. */
  prices?: Prices;
  maxOutputTokens?: number;
  contextWindow?: number;
}

export type ModelResolution = { ok: true; model: ResolvedModel } | { ok: false; message: string; suggestion?: string };

type Failure = Extract<ModelResolution, { ok: false }>;

/** `provider:model`, split on the first colon: model names may hold colons (`ollama:llama3.2:3b`). */
export function splitModelTarget(target: string): { provider: string; model: string } | undefined {
  const colon = target.indexOf(":");
  if (colon < 0) return undefined;
  return { provider: target.slice(0, colon), model: target.slice(colon + 1) };
}

export function resolveModelReference(policy: RoutingPolicy, reference: string): ModelResolution {
  const aliases = policy.models ?? {};
  if (!reference.includes(":")) {
    const entry = Object.hasOwn(aliases, reference) ? aliases[reference] : undefined;
    if (entry === undefined) return unknownAlias(policy, reference);
    return resolveTarget(policy, reference, targetOf(entry), { alias: reference, ...detailsOf(entry) });
  }
  // A direct reference still gets prices and limits when an alias describes the same model.
  const describedBy = Object.values(aliases).find((entry) => targetOf(entry) === reference);
  return resolveTarget(policy, reference, reference, describedBy === undefined ? {} : detailsOf(describedBy));
}

function targetOf(entry: Model): string {
  return typeof entry === "string" ? entry : entry.model;
}

function detailsOf(entry: Model): Partial<ResolvedModel> {
  if (typeof entry === "string") return {};
  return {
    ...(entry.prices === undefined ? {} : { prices: entry.prices }),
    ...(entry.max_output_tokens === undefined ? {} : { maxOutputTokens: entry.max_output_tokens }),
    ...(entry.context_window === undefined ? {} : { contextWindow: entry.context_window }),
  };
}

function resolveTarget(
  policy: RoutingPolicy,
  reference: string,
  target: string,
  details: Partial<ResolvedModel>,
): ModelResolution {
  const via = details.alias === undefined ? "" : `model alias "${details.alias}" points to "${target}": `;
  const parts = splitModelTarget(target);
  if (parts === undefined || parts.provider === "" || parts.model === "") {
    return { ok: false, message: `${via}"${target}" is not "provider:model"`, suggestion: `write it as "provider:model", for example "openai:gpt-4o-mini"` };
  }
  const providers = Object.keys(policy.providers ?? {});
  if (!providers.includes(parts.provider)) {
    return failure(`${via}unknown provider "${parts.provider}"`, didYouMean(parts.provider, providers));
  }
  return { ok: true, model: { ...details, reference, provider: parts.provider, model: parts.model } };
}

function unknownAlias(policy: RoutingPolicy, reference: string): Failure {
  const aliases = Object.keys(policy.models ?? {});
  const suggestion =
    didYouMean(reference, aliases) ??
    (Object.hasOwn(policy.providers ?? {}, reference)
      ? `"${reference}" is a provider: write "${reference}:<model>" to use one of its models`
      : undefined);
  return failure(`unknown model alias "${reference}"`, suggestion);
}

function failure(message: string, suggestion: string | undefined): Failure {
  return suggestion === undefined ? { ok: false, message } : { ok: false, message, suggestion };
}
