/**
 * How likely a model is to give an accepted answer, *given what already failed on this request*.
 *
 * Why conditioned: a cascade only sends a late model the requests the earlier ones failed, so its
 * raw success rate describes hard requests, not requests in general ("5 of 45" for the strongest
 * model). Each settled call is therefore counted under the set of models whose answers were
 * rejected before it on the same request (its context; empty for a fresh request), and a question
 * is answered from calls asked in the same context.
 *
 * Where the narrow figure has few calls it is shrunk toward a broader one (empirical Bayes, a beta
 * prior whose mean is the broader figure and whose weight is `shrinkageCalls` calls). Levels, from
 * the broadest (the prior, 50%) to the narrowest:
 *   all models in this depth (fresh, or after a failure) → this model in this depth → this model
 *   in this exact context → on this task type → on this task type and language.
 * A level holding exactly the calls of the broader one adds nothing and is passed over (counting
 * the same calls twice would overstate them). On a fresh request, a model's figure after rejections
 * is a floor (a request that failed elsewhere is no easier). Pure: counts in memory, no I/O.
 */

/** One answered call whose verdict is known (accepted by the checks, or rejected). */
export interface CallObservation {
  /** `provider:model`. */
  target: string;
  task: string;
  language?: string;
  /** Targets whose answers were rejected earlier on the same request (order does not matter). */
  failedBefore: readonly string[];
  accepted: boolean;
  costUsd: number;
}

/** The question: this target, on a request of this kind, after these rejections. */
export interface SuccessQuestion {
  task: string;
  language?: string;
  failedBefore: readonly string[];
}

export type EstimateLevel = "task-language" | "task" | "context" | "depth" | "all-models" | "prior";

export interface SuccessEstimate {
  /** The shrunk probability that this call's answer is accepted. */
  probability: number;
  /** The narrowest level that had calls, with its counts (`prior` and 0 when none had). */
  level: EstimateLevel;
  calls: number;
  successes: number;
}

/** Read-only view the routing engine gets in its state. */
export interface SuccessEstimator {
  estimate(target: string, question: SuccessQuestion): SuccessEstimate;
  /** Average cost of this target's answered calls on this task type (else on any), undefined when none. */
  averageCostUsd(target: string, task: string): number | undefined;
}

/** A broader figure weighs as much as this many calls against the narrower one's own. */
export const shrinkageCalls = 2;
/** With no calls anywhere: one success and one failure imagined (Laplace), so 50%. */
export const priorProbability = 0.5;

interface Tally {
  calls: number;
  successes: number;
}

interface CostTally {
  calls: number;
  totalUsd: number;
}

export class SuccessEstimates implements SuccessEstimator {
  private readonly tallies = new Map<string, Tally>();
  private readonly costs = new Map<string, CostTally>();

  static of(observations: Iterable<CallObservation>): SuccessEstimates {
    const estimates = new SuccessEstimates();
    for (const observation of observations) estimates.add(observation);
    return estimates;
  }

  /** Counts one settled call (call it after every verdict: the next question already knows it). */
  add(observation: CallObservation): void {
    this.addCounts(observation, 1, observation.accepted ? 1 : 0, observation.costUsd);
  }

  /** Counts `calls` calls at once, `successes` of them accepted, costing `totalCostUsd` together. */
  addCounts(observation: Omit<CallObservation, "accepted" | "costUsd">, calls: number, successes: number, totalCostUsd: number): void {
    if (calls <= 0) return;
    for (const key of levelKeys(observation.target, observation)) {
      const tally = this.tallies.get(key.key) ?? { calls: 0, successes: 0 };
      tally.calls += calls;
      tally.successes += successes;
      this.tallies.set(key.key, tally);
    }
    for (const key of [`task|${observation.task}|${observation.target}`, `any|${observation.target}`]) {
      const cost = this.costs.get(key) ?? { calls: 0, totalUsd: 0 };
      cost.calls += calls;
      cost.totalUsd += totalCostUsd;
      this.costs.set(key, cost);
    }
  }

  estimate(target: string, question: SuccessQuestion): SuccessEstimate {
    const keys = levelKeys(target, question);
    const estimate = this.shrink(keys);
    if (contextOf(question.failedBefore) !== "") return estimate;
    // A request that failed elsewhere is at least as hard as a fresh one, so a model's record after
    // rejections is a floor for its fresh figure: a model a cascade only ever sent hard requests
    // is not ranked below what it achieved on those.
    const afterFailure = this.shrink(keys.slice(0, 2).map((key) => ({ ...key, key: key.key.replace(/\|fresh$/, "|after-failure") })));
    return afterFailure.level === "depth" && afterFailure.probability > estimate.probability ? afterFailure : estimate;
  }

  /** The estimate along `keys` (broadest first): each level with fewer calls than the last shrinks toward it. */
  private shrink(keys: readonly { key: string; level: EstimateLevel }[]): SuccessEstimate {
    let probability = priorProbability;
    let broaderCalls = Number.POSITIVE_INFINITY;
    let basis: SuccessEstimate = { probability, level: "prior", calls: 0, successes: 0 };
    for (const { key, level } of keys) {
      const tally = this.tallies.get(key);
      if (!tally) break; // narrower levels hold a subset of these calls: none either
      if (tally.calls >= broaderCalls) {
        basis = { ...basis, level }; // the same calls as the broader level: named by the narrower one, counted once
        continue;
      }
      probability = (tally.successes + shrinkageCalls * probability) / (tally.calls + shrinkageCalls);
      broaderCalls = tally.calls;
      basis = { probability, level, calls: tally.calls, successes: tally.successes };
    }
    return { ...basis, probability };
  }

  averageCostUsd(target: string, task: string): number | undefined {
    const cost = this.costs.get(`task|${task}|${target}`) ?? this.costs.get(`any|${target}`);
    return cost ? cost.totalUsd / cost.calls : undefined;
  }
}

/** The context of a call: the sorted distinct targets rejected before it ("" when fresh). */
export function contextOf(failedBefore: readonly string[]): string {
  return [...new Set(failedBefore)].sort().join(" ");
}

/** Keys from the broadest level to the narrowest; each level's calls are a subset of the one before. */
function levelKeys(target: string, question: SuccessQuestion): { key: string; level: EstimateLevel }[] {
  const context = contextOf(question.failedBefore);
  const depth = context === "" ? "fresh" : "after-failure";
  const keys: { key: string; level: EstimateLevel }[] = [
    { key: `all|${depth}`, level: "all-models" },
    { key: `depth|${target}|${depth}`, level: "depth" },
    { key: `context|${target}|${context}`, level: "context" },
    { key: `task|${question.task}|${target}|${context}`, level: "task" },
  ];
  if (question.language !== undefined) keys.push({ key: `language|${question.task}|${question.language}|${target}|${context}`, level: "task-language" });
  return keys;
}
