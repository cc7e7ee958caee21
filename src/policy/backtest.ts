/**
 * Recorded requests replayed under another policy: for each, `decide` routes it (from the facts
 * the record keeps: step, task, language, tokens; quality standard, no tags, every provider up, the
 * budget full), then the attempts are walked as the executor would, with the recorded answers,
 * verdicts and costs: exact while the policy's models were recorded on the request, the stopping
 * rule and best-value re-ranking included. Past the first model the record does not have, the rest
 * of the route is an expectation from the success estimates (no stopping), and the request is
 * counted as estimated. Pure.
 */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { assessChain } from "./candidates.js";
import { decide } from "./decide.js";
import type { Candidate, RouteRequest, RoutingState } from "./decision.js";
import { nextAttempt } from "./next-attempt.js";
import type { SuccessEstimator } from "./success-estimates.js";
import { evaluateChain, type RecordedUnit } from "./tune.js";

export interface BacktestUnit extends RecordedUnit {
  step: string;
  inputTokens: number;
  outputTokens: number;
}

export interface BacktestFigures {
  units: number;
  recordedPassed: number;
  recordedCostUsd: number;
  /** Expected accepted requests under the policy. */
  passed: number;
  costUsd: number;
  /** Requests replayed from recorded outcomes only. */
  exactUnits: number;
}

export interface BacktestResult {
  total: BacktestFigures;
  steps: (BacktestFigures & { step: string })[];
}

export function backtest(units: readonly BacktestUnit[], policy: RoutingPolicy, state: RoutingState & { estimates: SuccessEstimator }): BacktestResult {
  const total = emptyFigures();
  const bySteps = new Map<string, BacktestFigures>();
  for (const unit of units) {
    const replayed = replayUnit(unit, policy, state);
    const step = bySteps.get(unit.step) ?? emptyFigures();
    for (const figures of [total, step]) {
      const outcomes = [...unit.outcomes.values()];
      figures.units++;
      figures.recordedPassed += outcomes.some((outcome) => outcome.accepted) ? 1 : 0;
      figures.recordedCostUsd += outcomes.reduce((sum, outcome) => sum + outcome.costUsd, 0);
      figures.passed += replayed.passed;
      figures.costUsd += replayed.costUsd;
      figures.exactUnits += replayed.exact ? 1 : 0;
    }
    bySteps.set(unit.step, step);
  }
  return { total, steps: [...bySteps].map(([step, figures]) => ({ step, ...figures })) };
}

function replayUnit(unit: BacktestUnit, policy: RoutingPolicy, state: RoutingState & { estimates: SuccessEstimator }): { passed: number; costUsd: number; exact: boolean } {
  const request: RouteRequest = {
    step: unit.step,
    task: unit.task,
    ...(unit.language === undefined ? {} : { language: unit.language }),
    quality: "standard",
    estimatedInputTokens: unit.inputTokens,
    maxOutputTokens: Math.max(1, unit.outputTokens),
    sensitive: false,
    tags: [],
  };
  const decision = decide(request, policy, state);
  const rule = policy.rules?.find((candidate) => candidate.name === decision.matched);
  const escalate = rule?.escalate ?? policy.escalate ?? [];
  const targetOf = (candidate: Candidate) => `${candidate.provider}:${candidate.model}`;
  let queue = [...decision.candidates];
  const rejected: string[] = [];
  let escalated = false;
  let costUsd = 0;
  while (queue.length > 0) {
    const candidate = queue[0]!;
    const recorded = unit.outcomes.get(targetOf(candidate));
    if (!recorded) {
      // Past the record: the rest of the route as an expectation (the escalation chain still to come included).
      const rest = escalated ? queue : [...queue, ...escalationOf(escalate, queue, rejected)];
      const expected = evaluateChain(rest.map(targetOf), [{ ...unit, outcomes: new Map() }], state.estimates);
      return { passed: expected.passed, costUsd: costUsd + expected.costUsd, exact: false };
    }
    costUsd += recorded.costUsd;
    if (recorded.accepted) return { passed: 1, costUsd, exact: true };
    rejected.push(targetOf(candidate));
    queue = queue.slice(1);
    if (!escalated) {
      escalated = true;
      queue.push(...escalationOf(escalate, queue, rejected));
    }
    const next = nextAttempt({ request, remaining: queue, rejected, estimates: state.estimates, strategy: decision.strategy ?? "chain", ...(decision.valueUsd === undefined ? {} : { valueUsd: decision.valueUsd }) });
    if (next.kind === "stop") return { passed: 0, costUsd, exact: true };
    queue = [next.candidate, ...next.remaining];
  }
  return { passed: 0, costUsd, exact: true };

  function escalationOf(references: readonly string[], queued: readonly Candidate[], tried: readonly string[]): Candidate[] {
    if (references.length === 0) return [];
    const considered = new Set([...decision.candidates.map(targetOf), ...queued.map(targetOf), ...tried]);
    return assessChain(references, { request, policy, state, emergency: undefined }, considered).flatMap((assessment) => (assessment.candidate ? [assessment.candidate] : []));
  }
}

function emptyFigures(): BacktestFigures {
  return { units: 0, recordedPassed: 0, recordedCostUsd: 0, passed: 0, costUsd: 0, exactUnits: 0 };
}
