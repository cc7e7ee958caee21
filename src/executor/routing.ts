/**
 * The route of one unit of work: the policy's decision for the rendered messages, and — asked for
 * only when an answer was rejected — the candidates of the escalation chain (the matched rule's
 * `escalate`, else the policy's), checked like any candidate (availability, budget, max cost).
 */
import type { PipelineStep } from "../pipeline/model.js";
import { emergencyMode } from "../policy/budget-left.js";
import { assessChain } from "../policy/candidates.js";
import { decide } from "../policy/decide.js";
import { droppedBecause } from "../policy/explain.js";
import type { Candidate, Decision, ProviderState, RouteRequest, RoutingState } from "../policy/decision.js";
import { estimatePromptTokens, inputTokenBound } from "../policy/estimate-tokens.js";
import { cacheWriteBoundTokens } from "../providers/prompt-cache.js";
import type { ChatMessage } from "../providers/provider.js";
import { withCooldowns } from "./provider-health.js";
import type { RunContext } from "./run-context.js";

export interface Route {
  decision: Decision;
  /** The request the decision answered; the stopping rule asks about it again after each rejection. */
  request: RouteRequest;
  /** Candidates to escalate to, leaving out targets (`provider:model`) already tried. */
  escalation(tried: ReadonlySet<string>): Candidate[];
}

export async function routeUnit(context: RunContext, step: PipelineStep, messages: readonly ChatMessage[]): Promise<Route> {
  const request = routeRequestFor(context, step, messages);
  const now = context.now().getTime();
  const state: RoutingState = {
    now,
    budgetLeftUsd: await context.ledger.left({ tags: step.tags }),
    providers: withCooldowns(context.providerStates, context.health, now),
    estimates: await context.learning.current(),
    pricesFor: context.pricesFor,
  };
  const decision = decide(request, context.policy, state);
  reportCooldowns(context, step.name, decision);
  return {
    decision,
    request,
    escalation(tried) {
      const rule = context.policy.rules?.find((candidate) => candidate.name === decision.matched);
      const references = rule?.escalate ?? context.policy.escalate ?? [];
      if (references.length === 0) return [];
      const assessed = assessChain(references, { request, policy: context.policy, state, emergency: emergencyMode(context.policy.budget, state.budgetLeftUsd) }, tried);
      return assessed.flatMap((assessment) => (assessment.candidate ? [assessment.candidate] : []));
    },
  };
}

function routeRequestFor(context: RunContext, step: PipelineStep, messages: readonly ChatMessage[]): RouteRequest {
  const estimatedInputTokens = estimatePromptTokens(messages);
  return {
    step: step.name,
    pipeline: context.pipeline.name,
    task: step.task,
    ...(step.language === undefined ? {} : { language: step.language }),
    quality: step.quality,
    estimatedInputTokens,
    worstCaseInputTokens: inputTokenBound(messages.map((message) => message.content)),
    maxOutputTokens: step.maxTokens,
    ...cacheWritesOf(step, messages),
    ...(step.batch === undefined ? {} : { batch: true }),
    sensitive: step.sensitive,
    tags: step.tags,
    ...(step.model === undefined ? {} : { pinnedModel: step.model }),
    ...(step.maxCostUsd === undefined ? {} : { maxCostUsd: step.maxCostUsd }),
    ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
  };
}

/** The stable prefix's bound, held at the write price of the step's `provider_cache` lifetime. */
function cacheWritesOf(step: PipelineStep, messages: readonly ChatMessage[]): Pick<RouteRequest, "cacheWrites"> {
  if (step.providerCache === undefined) return {};
  const tokens = cacheWriteBoundTokens(messages);
  if (tokens === 0) return {};
  return { cacheWrites: step.providerCache.ttl === "1h" ? { cacheWrite1hTokens: tokens } : { cacheWriteTokens: tokens } };
}

/** Steps (by run) already told about a cooling provider: one line per step and model, not one per item. */
const cooldownsReported = new WeakMap<RunContext, Set<string>>();

/**
 * A candidate dropped because its provider is cooling down is news the user cannot see in the
 * route alone (it comes from earlier failures, maybe of another process): say it as the run goes.
 */
function reportCooldowns(context: RunContext, step: string, decision: Decision): void {
  const reported = cooldownsReported.get(context) ?? new Set<string>();
  cooldownsReported.set(context, reported);
  for (const note of decision.notes) {
    if (note.check !== "cooling-down" || reported.has(`${step}\0${note.reference}`)) continue;
    reported.add(`${step}\0${note.reference}`);
    context.emit({ type: "candidate-skipped", step, reference: note.reference, reason: droppedBecause(note), at: context.now().toISOString() });
  }
}
