/**
 * After an answer was rejected: which candidate to try next, or whether to stop.
 *
 * A best-value route ranks the remaining candidates again, by expected cost per success given the
 * targets already rejected on this request (an early model's failure says the request is hard, so
 * every estimate moves). A chain keeps its written order. Then, when the route states what an
 * accepted answer is worth (`value_usd`), the stopping rule: the next attempt is made only if
 *
 *   expected value = P(accepted | these rejections) × value_usd  ≥  expected cost of the call,
 *
 * where P is the estimate plus one standard error of it (sqrt(p(1 − p) / (calls + 3))): a model
 * whose record in this situation is short gets the benefit of the doubt, otherwise a stop, once
 * made, would never be revisited (no call, no new evidence). With a long record P is the estimate.
 * Candidates not worth their cost are passed over, and when none is left that is, the request
 * stops with a sentence giving each one's figures. Myopic on purpose: it weighs one call at a time,
 * so it can stop a little early but never pays for a call it expects to lose money on.
 * Pure: the executor and the routing benchmark both call it.
 */
import { bestValueFigures, describeRecord } from "./best-value.js";
import type { BestValueFigures, Candidate, Decision, RouteRequest } from "./decision.js";
import { formatCount, formatLimit, formatPercent, formatUsd } from "./format.js";
import type { SuccessEstimator } from "./success-estimates.js";

export interface NextAttemptQuestion {
  request: RouteRequest;
  /** Candidates not tried yet, in the route's order. */
  remaining: readonly Candidate[];
  /** Targets (`provider:model`) whose answers were rejected on this request, in order. */
  rejected: readonly string[];
  estimates: SuccessEstimator;
  strategy: NonNullable<Decision["strategy"]>;
  valueUsd?: number;
}

export type NextAttempt =
  /** Try `candidate`; `remaining` is what is left after it, in order; `passedOver` says who was skipped and why. */
  | { kind: "attempt"; candidate: Candidate; remaining: Candidate[]; passedOver: { candidate: Candidate; reason: string }[]; figures: BestValueFigures }
  /** Nothing left is worth its cost (or nothing is left): `reason` is the sentence for the route notes. */
  | { kind: "stop"; reason: string };

export function nextAttempt(question: NextAttemptQuestion): NextAttempt {
  const { request, rejected, estimates } = question;
  const scored = question.remaining.map((candidate, position) => ({ candidate, position, figures: bestValueFigures(candidate, request, rejected, estimates) }));
  if (question.strategy === "best-value") scored.sort((a, b) => a.figures.costUsd / optimisticChance(a.figures) - b.figures.costUsd / optimisticChance(b.figures) || a.position - b.position);
  if (scored.length === 0) return { kind: "stop", reason: "no candidate left" };

  const valueUsd = question.valueUsd;
  const worth = valueUsd === undefined ? 0 : scored.findIndex(({ figures }) => optimisticChance(figures) * valueUsd >= figures.costUsd);
  if (worth < 0) {
    const figures = scored.map(({ candidate, figures }) => `${candidate.reference}: ${describeValue(figures, valueUsd!)}`);
    return {
      kind: "stop",
      reason: `stopped after ${formatCount(rejected.length)} rejected ${rejected.length === 1 ? "answer" : "answers"}: no model left is worth its cost at value_usd ${formatLimit(valueUsd!)} — ${figures.join("; ")}`,
    };
  }
  const chosen = scored[worth]!;
  return {
    kind: "attempt",
    candidate: chosen.candidate,
    remaining: scored.filter((_, index) => index !== worth).map(({ candidate }) => candidate),
    passedOver: scored.slice(0, worth).map(({ candidate, figures }) => ({ candidate, reason: `passed over: ${describeValue(figures, valueUsd!)}` })),
    figures: chosen.figures,
  };
}

/** The estimate plus one standard error of a beta posterior over its calls (and the prior's 2), at most 1. */
export function optimisticChance(figures: Pick<BestValueFigures, "successRate" | "calls">): number {
  const p = figures.successRate;
  return Math.min(1, p + Math.sqrt((p * (1 - p)) / (figures.calls + 3)));
}

/** `27% chance at best × $0.0100 = $0.0027 expected < $0.0040 cost (17% estimated, 1 of 10 calls on this task type succeeded)`. */
function describeValue(figures: BestValueFigures, valueUsd: number): string {
  const chance = optimisticChance(figures);
  return (
    `${formatPercent(chance)} chance at best × ${formatUsd(valueUsd)} = ${formatUsd(chance * valueUsd)} expected < ${formatUsd(figures.costUsd)} cost ` +
    `(${formatPercent(figures.successRate)} estimated, ${describeRecord(figures)})`
  );
}
