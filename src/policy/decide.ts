/**
 * The routing engine: `decide(request, policy, state)` → the ordered candidates and why.
 *
 * Pure and deterministic: everything it needs (money left, availability, prices, history, the
 * clock) comes in `state`; it does no I/O. Passes, in order:
 *   1. facts: the complexity band of the estimated tokens, emergency mode;
 *   2. chain: the pinned model, else the first matching rule, else the request's tier;
 *   3. checks: each model kept or dropped with a sentence (see candidates.ts);
 *   4. order: as written, or by expected cost per success for best-value rules;
 *   5. parameters: a kept model that refuses one of the request's parameters says it is not sent;
 *   6. exhausted: when nothing is kept, what `budget.when_exhausted` says.
 */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { estimatesFromHistory, orderByBestValue } from "./best-value.js";
import { emergencyMode } from "./budget-left.js";
import { assessChain, type AssessmentContext } from "./candidates.js";
import { chooseChain } from "./choose-chain.js";
import { complexityOf } from "./complexity.js";
import type { Decision, RouteRequest, RoutingState } from "./decision.js";
import { applyWhenExhausted } from "./exhausted.js";
import { resolveModelReference } from "./model-ref.js";
import { noteRefusedParameters } from "./parameter-notes.js";
import type { SuccessEstimator } from "./success-estimates.js";

export function decide(request: RouteRequest, policy: RoutingPolicy, state: RoutingState): Decision {
  const complexity = complexityOf(request.estimatedInputTokens);
  const emergency = emergencyMode(policy.budget, state.budgetLeftUsd);
  const chain = chooseChain(policy, { request, complexity, budgetLeftUsd: state.budgetLeftUsd });

  const context: AssessmentContext = { request, policy, state, emergency };
  let assessments = assessChain(chain.references, context);
  if (chain.strategy === "best-value") assessments = orderByBestValue(assessments, request, estimatorOf(policy, state));
  assessments = noteRefusedParameters(assessments, request, policy);

  const decision: Decision = {
    matched: chain.matched,
    candidates: assessments.flatMap((assessment) => (assessment.candidate ? [assessment.candidate] : [])),
    notes: assessments.map((assessment) => assessment.note),
    rules: chain.rules,
    strategy: chain.strategy,
    complexity,
    ...(chain.tier ? { tier: chain.tier } : {}),
    ...(emergency ? { emergency } : {}),
    ...(chain.valueUsd === undefined ? {} : { valueUsd: chain.valueUsd }),
  };
  return decision.candidates.length ? decision : applyWhenExhausted(decision, context);
}

/** The state's learnt estimates, else its aggregated history (references resolved to `provider:model`). */
export function estimatorOf(policy: RoutingPolicy, state: RoutingState): SuccessEstimator {
  if (state.estimates) return state.estimates;
  return estimatesFromHistory(state.history ?? [], (reference) => {
    const resolved = resolveModelReference(policy, reference);
    return resolved.ok ? `${resolved.model.provider}:${resolved.model.model}` : reference;
  });
}
