/**
 * What each span says, as plain attribute maps (pure, so tests read them without a collector).
 * Attempt spans follow the OpenTelemetry GenAI semantic conventions for an inference call
 * (`gen_ai.*`, span name `chat <model>`); orch's own figures go under `orch.*`. No prompt, answer
 * or checker output is ever put in an attribute: they can hold secrets and are large (the call
 * log keeps them, `orch show` prints them).
 */
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
} from "@opentelemetry/semantic-conventions/incubating";
import type { BudgetAlert } from "../budget/alerts.js";
import type { BudgetOverrun } from "../budget/overruns.js";
import type { RunEvent } from "../executor/events.js";
import type { ProviderType } from "../providers/provider.js";

type AttemptStart = Extract<RunEvent, { type: "attempt-start" }>;
type AttemptEnd = Extract<RunEvent, { type: "attempt-end" }>;
type StepEnd = Extract<RunEvent, { type: "step-end" }>;
type RunEnd = Extract<RunEvent, { type: "run-end" }>;

/** What a step asks of every model (from the pipeline): the request parameters of its spans. */
export interface StepRequest {
  maxTokens: number;
  temperature?: number;
}

/** The step's route as its result records it: the rule that matched and a sentence per candidate. */
export interface StepRoute {
  matched: string;
  notes: readonly { reference: string; kept: boolean; reason: string }[];
}

/**
 * `gen_ai.provider.name`: the conventions' well-known values where one exists; orch's test doubles
 * and CLI agents are named under `orch.` so no backend mistakes them for a vendor.
 */
const providerNames: Record<ProviderType, string> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "gcp.gemini",
  openrouter: "openrouter",
  ollama: "ollama",
  mock: "orch.mock",
  replay: "orch.replay",
  cli: "orch.cli",
};

export function genAiProviderName(type: ProviderType | undefined, providerId: string): string {
  return type === undefined ? providerId : providerNames[type];
}

export interface AttemptFacts {
  step: string;
  start?: AttemptStart;
  end: AttemptEnd;
  providerType?: ProviderType;
  request?: StepRequest;
  route?: StepRoute;
  /** The output checks refused the answer. */
  rejected?: boolean;
  overrunUsd?: number;
}

export function attemptSpanName(facts: AttemptFacts): string {
  return `${GEN_AI_OPERATION_NAME_VALUE_CHAT} ${facts.start?.model ?? facts.end.model}`;
}

export function attemptAttributes(facts: AttemptFacts): Attributes {
  const { start, end } = facts;
  const cached = end.cached === true;
  const reference = start?.reference;
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: genAiProviderName(facts.providerType, end.provider),
    [ATTR_GEN_AI_REQUEST_MODEL]: start?.model ?? end.model,
    "orch.step": facts.step,
    "orch.attempt": end.attempt,
    "orch.provider": end.provider,
    "orch.cost_usd": end.costUsd,
    "orch.cache.hit": cached,
    "orch.synthetic": start?.synthetic ?? false,
  };
  if (end.item !== undefined) attributes["orch.item"] = end.item;
  if (reference !== undefined) attributes["orch.model.reference"] = reference;
  if (start) attributes["orch.reserved_usd"] = start.reservedUsd;
  if (facts.request) {
    attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = facts.request.maxTokens;
    if (facts.request.temperature !== undefined) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = facts.request.temperature;
  }
  if (cached) {
    // No call was made: no usage, no response; what the reused answer had cost is what it saved.
    attributes["orch.cache.saved_usd"] = end.savedUsd ?? 0;
  } else {
    if (end.status === "succeeded") attributes[ATTR_GEN_AI_RESPONSE_MODEL] = end.model;
    Object.assign(attributes, usageAttributes(end.usage));
  }
  if (end.finishReason !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [end.finishReason];
  if (end.error) attributes[ATTR_ERROR_TYPE] = end.error.kind;
  if (facts.route) {
    attributes["orch.route.rule"] = facts.route.matched;
    attributes["orch.route.reason"] = routeReason(facts.route, reference);
  }
  // The rejection's wording stays out: a parser's message quotes the answer it could not read.
  if (facts.rejected) attributes["orch.answer.rejected"] = true;
  if (facts.overrunUsd !== undefined) attributes["orch.budget.overrun_usd"] = facts.overrunUsd;
  return attributes;
}

function usageAttributes(usage: AttemptEnd["usage"]): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
  };
  if (usage.cachedInputTokens) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cachedInputTokens;
  const written = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
  if (written > 0) attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = written;
  if (usage.reasoningTokens) attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoningTokens;
  return attributes;
}

/** Why this candidate was called: the policy's sentence for it, or (not among the route's notes) the escalation chain. */
function routeReason(route: StepRoute, reference: string | undefined): string {
  const note = reference === undefined ? undefined : route.notes.find((candidate) => candidate.kept && candidate.reference === reference);
  if (note) return note.reason;
  return reference === undefined ? `rule ${route.matched}` : `escalation chain of rule ${route.matched}`;
}

export function stepAttributes(end: StepEnd, route: StepRoute | undefined): Attributes {
  const attributes: Attributes = {
    "orch.step": end.step,
    "orch.step.status": end.status,
    "orch.step.attempts": end.attempts,
    "orch.cost_usd": end.costUsd,
    "orch.cache.hit": end.cached === true,
    "orch.synthetic": end.synthetic,
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: end.usage.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: end.usage.outputTokens,
  };
  if (end.provider !== undefined && end.model !== undefined) attributes["orch.step.accepted_from"] = `${end.provider}:${end.model}`;
  // orch's own sentence for a skip, a budget stop or a deferral; a failure's reason can quote a
  // rejected answer (a JSON parser's message), so it stays in the call log (`orch show`).
  if (end.reason !== undefined && end.status !== "failed") attributes["orch.step.reason"] = end.reason;
  if (end.reused) attributes["orch.step.reused"] = true;
  if (end.items !== undefined) attributes["orch.step.items"] = end.items;
  if (end.itemsNotSucceeded !== undefined) attributes["orch.step.items_not_succeeded"] = end.itemsNotSucceeded;
  if (route) {
    attributes["orch.route.rule"] = route.matched;
    attributes["orch.route.candidates"] = route.notes.filter((note) => note.kept).map((note) => note.reference);
  }
  return attributes;
}

export function runEndAttributes(end: RunEnd): Attributes {
  return {
    "orch.run.status": end.status,
    "orch.run.exit_code": end.exitCode,
    "orch.cost_usd": end.totals.costUsd,
    "orch.calls": end.totals.calls,
    "orch.cache.hits": end.totals.cacheHits,
    "orch.cache.saved_usd": end.totals.savedUsd,
    "orch.budget.overruns": end.totals.overruns,
    "orch.budget.overrun_usd": end.totals.overrunUsd,
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: end.totals.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: end.totals.outputTokens,
  };
}

export function budgetAlertAttributes(alert: BudgetAlert): Attributes {
  return {
    "orch.budget.scope": alert.scope,
    "orch.budget.period": alert.period,
    "orch.budget.fraction": alert.fraction,
    "orch.budget.used_usd": alert.usedUsd,
    "orch.budget.limit_usd": alert.limitUsd,
    ...(alert.subject ? { "orch.budget.subject": `${alert.subject.kind}:${alert.subject.name}` } : {}),
  };
}

export function budgetOverrunAttributes(overrun: BudgetOverrun): Attributes {
  return {
    "orch.step": overrun.step,
    "orch.attempt": overrun.attempt,
    "orch.provider": overrun.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: overrun.model,
    "orch.reserved_usd": overrun.reservedUsd,
    "orch.cost_usd": overrun.settledUsd,
    "orch.budget.overrun_usd": overrun.overrunUsd,
    ...(overrun.item === undefined ? {} : { "orch.item": overrun.item }),
  };
}
