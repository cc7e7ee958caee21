/**
 * `use: { best_value: [...] }`: orders the kept candidates by expected cost per successful call,
 *
 *   expected = cost / estimated success
 *
 * where the success estimate is the model's, for a fresh request of this task type (and language),
 * learnt from settled calls and shrunk toward broader figures where they are few (see
 * success-estimates.ts; an untried model counts as 50% successful). Cost of a tried model is its
 * average past cost on this task type; of an untried one, the midpoint of its estimated range for
 * this call. Free models cost 0 and go first; ties keep the order written in the policy. After a
 * rejection the remaining ones are ranked again, conditioned on what failed (next-attempt.ts).
 */
import type { Assessment } from "./candidates.js";
import type { BestValueFigures, Candidate, ModelHistory, RouteRequest } from "./decision.js";
import { formatCount, formatPercent, formatUsd } from "./format.js";
import { SuccessEstimates, type SuccessEstimator } from "./success-estimates.js";

export function orderByBestValue(assessments: readonly Assessment[], request: RouteRequest, estimates: SuccessEstimator): Assessment[] {
  const scored = assessments
    .filter((assessment) => assessment.candidate)
    .map((assessment, position) => ({ assessment, position, figures: bestValueFigures(assessment.candidate!, request, [], estimates) }));
  scored.sort(compareFigures);
  const ordered = scored.map(({ assessment, figures }, index) => ({
    ...assessment,
    note: { ...assessment.note, reason: `${assessment.note.reason}; ${describeFigures(figures, index + 1)}`, bestValue: figures },
  }));
  return [...ordered, ...assessments.filter((assessment) => !assessment.candidate)];
}

/** Lowest expected cost per success first, then the likelier, then the order written. */
export function compareFigures(a: { figures: BestValueFigures; position: number }, b: { figures: BestValueFigures; position: number }): number {
  return (
    a.figures.expectedCostPerSuccessUsd - b.figures.expectedCostPerSuccessUsd ||
    b.figures.successRate - a.figures.successRate ||
    a.position - b.position
  );
}

/** What one call of `candidate` is expected to cost and to achieve, after `failedBefore` were rejected. */
export function bestValueFigures(candidate: Candidate, request: RouteRequest, failedBefore: readonly string[], estimates: SuccessEstimator): BestValueFigures {
  const target = `${candidate.provider}:${candidate.model}`;
  const estimate = estimates.estimate(target, { task: request.task, ...(request.language === undefined ? {} : { language: request.language }), failedBefore });
  const free = candidate.pricing !== "metered";
  const average = free ? undefined : estimates.averageCostUsd(target, request.task);
  const range = candidate.estimatedCostUsd;
  const costUsd = free ? 0 : (average ?? (range.min + range.max) / 2);
  return {
    calls: estimate.calls,
    successes: estimate.successes,
    successRate: estimate.probability,
    basis: estimate.level,
    costUsd,
    costSource: average === undefined ? "price" : "history",
    expectedCostPerSuccessUsd: costUsd / estimate.probability,
  };
}

/**
 * Aggregated history rows (per model and task type, context unknown) as estimates: counted as
 * fresh requests. `targetOf` maps a row's reference (an alias or `provider:model`) to its target.
 */
export function estimatesFromHistory(history: readonly ModelHistory[], targetOf: (reference: string) => string): SuccessEstimates {
  const estimates = new SuccessEstimates();
  for (const row of history) {
    estimates.addCounts({ target: targetOf(row.reference), task: row.task, failedBefore: [] }, row.calls, row.successes, row.averageCostUsd * row.calls);
  }
  return estimates;
}

/** `best value #1: $0.0025 per success ($0.0020 average cost ÷ 80% estimated success, 3 of 3 calls on this task type succeeded)`. */
export function describeFigures(figures: BestValueFigures, rank: number): string {
  const cost = figures.costSource === "history" ? "average cost" : "estimated cost";
  return (
    `best value #${rank}: ${formatUsd(figures.expectedCostPerSuccessUsd)} per success ` +
    `(${formatUsd(figures.costUsd)} ${cost} ÷ ${formatPercent(figures.successRate)} estimated success, ${describeRecord(figures)})`
  );
}

/** Where the figure comes from: this model's calls at the narrowest level that had any, or other models'. */
export function describeRecord(figures: Pick<BestValueFigures, "basis" | "calls" | "successes">): string {
  const record = `${formatCount(figures.successes)} of ${formatCount(figures.calls)}`;
  switch (figures.basis) {
    case "prior":
      return "untried";
    case "all-models":
      return `untried, like other models at this point: ${record} of their calls succeeded`;
    case "depth":
      return `${record} calls after other rejections succeeded`;
    case "context":
      return `${record} calls at this point on any task type succeeded`;
    case "task":
      return `${record} calls on this task type succeeded`;
    case "task-language":
      return `${record} calls on this task type and language succeeded`;
  }
}
