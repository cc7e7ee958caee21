/**
 * `use: { best_value: [...] }`: orders the kept candidates by expected cost per successful call,
 *
 *   expected = cost / smoothed success rate,   smoothed = (successes + 1) / (calls + 2)
 *
 * (Laplace's rule of succession). An untried model counts as 50% successful and costs the midpoint
 * of its estimated range for this call, so a cheaper newcomer is tried, and keeps its place only
 * while it succeeds. Cost of a tried model is its average past cost on this task type. Free
 * models cost 0 and go first; ties keep the order written in the policy.
 */
import type { Assessment } from "./candidates.js";
import type { BestValueFigures, ModelHistory, RouteRequest } from "./decision.js";
import { formatCount, formatPercent, formatUsd } from "./format.js";

/** Laplace prior: one success and one failure imagined before any real call. */
const priorSuccesses = 1;
const priorFailures = 1;

export function orderByBestValue(assessments: readonly Assessment[], request: RouteRequest, history: readonly ModelHistory[]): Assessment[] {
  const scored = assessments
    .filter((assessment) => assessment.candidate)
    .map((assessment, position) => ({ assessment, position, figures: figuresFor(assessment, request, history) }));
  scored.sort(
    (a, b) =>
      a.figures.expectedCostPerSuccessUsd - b.figures.expectedCostPerSuccessUsd ||
      b.figures.successRate - a.figures.successRate ||
      a.position - b.position,
  );
  const ordered = scored.map(({ assessment, figures }, index) => ({
    ...assessment,
    note: { ...assessment.note, reason: `${assessment.note.reason}; ${describeFigures(figures, index + 1)}`, bestValue: figures },
  }));
  return [...ordered, ...assessments.filter((assessment) => !assessment.candidate)];
}

function figuresFor(assessment: Assessment, request: RouteRequest, history: readonly ModelHistory[]): BestValueFigures {
  const { note, candidate } = assessment;
  const names = new Set([note.reference, note.target]);
  const past = history.filter((entry) => entry.task === request.task && names.has(entry.reference));
  const calls = past.reduce((sum, entry) => sum + entry.calls, 0);
  const successes = past.reduce((sum, entry) => sum + entry.successes, 0);
  const successRate = (successes + priorSuccesses) / (calls + priorSuccesses + priorFailures);
  const free = candidate?.pricing !== "metered";
  const range = candidate?.estimatedCostUsd ?? { min: 0, max: 0 };
  const fromHistory = calls > 0 && !free;
  const costUsd = free
    ? 0
    : fromHistory
      ? past.reduce((sum, entry) => sum + entry.averageCostUsd * entry.calls, 0) / calls
      : (range.min + range.max) / 2;
  return {
    calls,
    successes,
    successRate,
    costUsd,
    costSource: fromHistory ? "history" : "price",
    expectedCostPerSuccessUsd: costUsd / successRate,
  };
}

/** `best value #1: $0.0025 per success ($0.0020 average cost ÷ 80% smoothed success, 3 of 3 calls)`. */
function describeFigures(figures: BestValueFigures, rank: number): string {
  const cost = figures.costSource === "history" ? "average cost" : "estimated cost";
  const record = figures.calls === 0 ? "untried" : `${formatCount(figures.successes)} of ${formatCount(figures.calls)} calls succeeded`;
  return (
    `best value #${rank}: ${formatUsd(figures.expectedCostPerSuccessUsd)} per success ` +
    `(${formatUsd(figures.costUsd)} ${cost} ÷ ${formatPercent(figures.successRate)} smoothed success, ${record})`
  );
}
