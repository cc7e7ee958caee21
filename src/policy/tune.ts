/**
 * Chains evaluated against recorded requests, and the search for the cheapest one that reaches a
 * target pass rate: the core of `orch tune` (and of the routing benchmark's `tune` row).
 *
 * A recorded unit is one request with what each model it was sent to did (accepted or not, and at
 * what cost). Replaying a chain over it is exact while the chain's models were recorded on it; past
 * the first model that was not, the rest is estimated from the success estimates given what failed
 * (success-estimates.ts) and the model's average cost, as an expectation. Each unit says whether
 * it needed an estimate. Pure.
 */
import { nanoToUsd, usdToNano } from "../money/nano.js";
import type { SuccessEstimator } from "./success-estimates.js";

export interface RecordedOutcome {
  accepted: boolean;
  costUsd: number;
}

export interface RecordedUnit {
  task: string;
  language?: string;
  /** By target (`provider:model`). */
  outcomes: ReadonlyMap<string, RecordedOutcome>;
}

export interface ChainFigures {
  chain: readonly string[];
  units: number;
  /** Expected accepted units (exact where recorded). */
  passed: number;
  passRate: number;
  costUsd: number;
  /** Units replayed from recorded outcomes only. */
  exactUnits: number;
}

export function evaluateChain(chain: readonly string[], units: readonly RecordedUnit[], estimates: SuccessEstimator): ChainFigures {
  let passed = 0;
  // Whole nano-dollars: exact for a replayed record; an expected term (weighted by the chance it is
  // reached) is rounded up to a nano-dollar, as an amount is never counted lower than it is.
  let costNano = 0;
  let exactUnits = 0;
  for (const unit of units) {
    let unsolved = 1; // the probability that no model so far was accepted
    let exact = true;
    const failed: string[] = [];
    for (const target of chain) {
      if (unsolved === 0) break;
      const recorded = unit.outcomes.get(target);
      if (recorded) {
        costNano += usdToNano(unsolved * recorded.costUsd);
        if (recorded.accepted) {
          passed += unsolved;
          unsolved = 0;
        }
      } else {
        exact = false;
        const question = { task: unit.task, ...(unit.language === undefined ? {} : { language: unit.language }), failedBefore: failed };
        const chance = estimates.estimate(target, question).probability;
        costNano += usdToNano(unsolved * (estimates.averageCostUsd(target, unit.task) ?? 0));
        passed += unsolved * chance;
        unsolved *= 1 - chance;
      }
      failed.push(target);
    }
    if (exact) exactUnits++;
  }
  return { chain, units: units.length, passed, passRate: units.length ? passed / units.length : 0, costUsd: nanoToUsd(costNano), exactUnits };
}

export interface TuneQuestion {
  /** Candidate models, cheapest first (chains keep this order: a cascade escalates to dearer models). */
  models: readonly string[];
  train: readonly RecordedUnit[];
  targetPassRate: number;
  /** Longest chain tried (default 4). */
  maxLength?: number;
  estimates: SuccessEstimator;
}

export interface TuneResult {
  /** The cheapest chain whose pass rate on the training units, less one standard error, reaches the target; else the one with the best pass rate. */
  best: ChainFigures;
  reachedTarget: boolean;
  chainsTried: number;
}

/**
 * Every chain of up to `maxLength` models in the given order, replayed on the training units. The
 * pass rate is held to the target one standard error below its measured value, so a chain that
 * reached it by luck on the training units is less likely to miss it on new ones.
 */
export function tuneChain(question: TuneQuestion): TuneResult {
  const chains = orderedSubsets(question.models, question.maxLength ?? 4);
  let best: ChainFigures | undefined;
  let fallback: ChainFigures | undefined;
  for (const chain of chains) {
    const figures = evaluateChain(chain, question.train, question.estimates);
    const error = Math.sqrt((figures.passRate * (1 - figures.passRate)) / Math.max(1, figures.units));
    if (figures.passRate - error >= question.targetPassRate && (!best || figures.costUsd < best.costUsd)) best = figures;
    if (!fallback || figures.passRate > fallback.passRate || (figures.passRate === fallback.passRate && figures.costUsd < fallback.costUsd)) fallback = figures;
  }
  return { best: best ?? fallback!, reachedTarget: best !== undefined, chainsTried: chains.length };
}

/** Non-empty subsets of `items` of at most `maxLength`, each keeping the items' order. */
function orderedSubsets(items: readonly string[], maxLength: number): string[][] {
  const subsets: string[][] = [];
  const grow = (start: number, chain: string[]) => {
    if (chain.length > 0) subsets.push(chain);
    if (chain.length === maxLength) return;
    for (let index = start; index < items.length; index++) grow(index + 1, [...chain, items[index]!]);
  };
  grow(0, []);
  return subsets;
}

/** What actually happened on `units`: accepted when any recorded answer was, at the cost of every recorded call. */
export function asRecorded(units: readonly RecordedUnit[]): { units: number; passed: number; passRate: number; costUsd: number } {
  let passed = 0;
  let costNano = 0;
  for (const unit of units) {
    const outcomes = [...unit.outcomes.values()];
    if (outcomes.some((outcome) => outcome.accepted)) passed++;
    costNano += outcomes.reduce((sum, outcome) => sum + usdToNano(outcome.costUsd), 0);
  }
  return { units: units.length, passed, passRate: units.length ? passed / units.length : 0, costUsd: nanoToUsd(costNano) };
}

/** Every `every`-th unit (the last of each group) is held out for validation; the rest train. */
export function splitUnits<T>(units: readonly T[], every = 4): { train: T[]; validation: T[] } {
  const train: T[] = [];
  const validation: T[] = [];
  units.forEach((unit, index) => ((index + 1) % every === 0 ? validation : train).push(unit));
  return { train, validation };
}
