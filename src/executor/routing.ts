/**
 * The route of one unit of work: the policy's decision for the rendered messages, and — asked for
 * only when an answer was rejected — the candidates of the escalation chain (the matched rule's
 * `escalate`, else the policy's), checked like any candidate (availability, budget, max cost).
 */
import type { PipelineStep } from "../pipeline/model.js";
import { emergencyMode } from "../policy/budget-left.js";
import { assessChain } from "../policy/candidates.js";
import { decide } from "../policy/decide.js";
import type { Candidate, Decision, ProviderState, RouteRequest, RoutingState } from "../policy/decision.js";
import { estimatePromptTokens, inputTokenBound } from "../policy/estimate-tokens.js";
import type { ChatMessage } from "../providers/provider.js";
import type { RunContext } from "./run-context.js";

export interface Route {
  decision: Decision;
  /** The request the decision answered; the stopping rule asks about it again after each rejection. */
  request: RouteRequest;
  /** Candidates to escalate to, leaving out targets (`provider:model`) already tried. */
  escalation(tried: ReadonlySet<string>): Candidate[];
}

export function routeUnit(context: RunContext, step: PipelineStep, messages: readonly ChatMessage[]): Route {
  const request = routeRequestFor(context, step, messages);
  const now = context.now().getTime();
  const state: RoutingState = {
    now,
    budgetLeftUsd: context.ledger.left({ tags: step.tags }),
    providers: withCooldowns(context, now),
    estimates: context.learning.current(),
    pricesFor: context.pricesFor,
  };
  const decision = decide(request, context.policy, state);
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
    sensitive: step.sensitive,
    tags: step.tags,
    ...(step.model === undefined ? {} : { pinnedModel: step.model }),
    ...(step.maxCostUsd === undefined ? {} : { maxCostUsd: step.maxCostUsd }),
    ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
  };
}

function withCooldowns(context: RunContext, now: number): Record<string, ProviderState> {
  return Object.fromEntries(
    Object.entries(context.providerStates).map(([id, state]) => {
      const until = context.health.coolingDownUntil(id, now);
      return [id, until === undefined ? state : { ...state, coolingDownUntil: until }];
    }),
  );
}
