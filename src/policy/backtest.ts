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
import { nanoToUsd, usdToNano } from "../money/nano.js";
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

/** Figures while they are summed: money in whole nano-dollars, converted to dollars once at the end. */
interface FiguresSum extends Omit<BacktestFigures, "recordedCostUsd" | "costUsd"> {
  recordedCostNano: number;
  costNano: number;
}

export function backtest(units: readonly BacktestUnit[], policy: RoutingPolicy, state: RoutingState & { estimates: SuccessEstimator }): BacktestResult {
  const total = emptySum();
  const bySteps = new Map<string, FiguresSum>();
  for (const unit of units) {
    const replayed = replayUnit(unit, policy, state);
    const step = bySteps.get(unit.step) ?? emptySum();
    const outcomes = [...unit.outcomes.values()];
    const recordedCostNano = outcomes.reduce((sum, outcome) => sum + usdToNano(outcome.costUsd), 0);
    for (const figures of [total, step]) {
      figures.units++;
      figures.recordedPassed += outcomes.some((outcome) => outcome.accepted) ? 1 : 0;
      figures.recordedCostNano += recordedCostNano;
      figures.passed += replayed.passed;
      figures.costNano += replayed.costNano;
      figures.exactUnits += replayed.exact ? 1 : 0;
    }
    bySteps.set(unit.step, step);
  }
  return { total: inDollars(total), steps: [...bySteps].map(([step, figures]) => ({ step, ...inDollars(figures) })) };
}

function inDollars({ recordedCostNano, costNano, ...counts }: FiguresSum): BacktestFigures {
  return { ...counts, recordedCostUsd: nanoToUsd(recordedCostNano), costUsd: nanoToUsd(costNano) };
}

/** One request replayed: `costNano` is exact while `exact`, else the recorded part plus an expectation rounded up to a nano-dollar. */
function replayUnit(unit: BacktestUnit, policy: RoutingPolicy, state: RoutingState & { estimates: SuccessEstimator }): { passed: number; costNano: number; exact: boolean } {
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
  let costNano = 0;
  while (queue.length > 0) {
    const candidate = queue[0]!;
    const recorded = unit.outcomes.get(targetOf(candidate));
    if (!recorded) {
      // Past the record: the rest of the route as an expectation (the escalation chain still to come included).
      const rest = escalated ? queue : [...queue, ...escalationOf(escalate, queue, rejected)];
      const expected = evaluateChain(rest.map(targetOf), [{ ...unit, outcomes: new Map() }], state.estimates);
      return { passed: expected.passed, costNano: costNano + usdToNano(expected.costUsd), exact: false };
    }
    costNano += usdToNano(recorded.costUsd);
    if (recorded.accepted) return { passed: 1, costNano, exact: true };
    rejected.push(targetOf(candidate));
    queue = queue.slice(1);
    if (!escalated) {
      escalated = true;
      queue.push(...escalationOf(escalate, queue, rejected));
    }
    const next = nextAttempt({ request, remaining: queue, rejected, estimates: state.estimates, strategy: decision.strategy ?? "chain", ...(decision.valueUsd === undefined ? {} : { valueUsd: decision.valueUsd }) });
    if (next.kind === "stop") return { passed: 0, costNano, exact: true };
    queue = [next.candidate, ...next.remaining];
  }
  return { passed: 0, costNano, exact: true };

  function escalationOf(references: readonly string[], queued: readonly Candidate[], tried: readonly string[]): Candidate[] {
    if (references.length === 0) return [];
    const considered = new Set([...decision.candidates.map(targetOf), ...queued.map(targetOf), ...tried]);
    return assessChain(references, { request, policy, state, emergency: undefined }, considered).flatMap((assessment) => (assessment.candidate ? [assessment.candidate] : []));
  }
}

function emptySum(): FiguresSum {
  return { units: 0, recordedPassed: 0, recordedCostNano: 0, passed: 0, costNano: 0, exactUnits: 0 };
}
