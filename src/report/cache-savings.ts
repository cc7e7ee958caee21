/**
 * Cache figures. A lookup happens once per step execution, before routing: so lookups are the
 * cache hits plus the first attempts that were not hits (an escalation does not look up again).
 *
 * Money saved by a hit is what the answer it reused cost when it was paid for: the cost of the cache
 * entry with the hit's cache key. Without one (the entry was cleared, or the row predates cache keys),
 * it is estimated as the average cost of the successful uncached calls of the same pipeline, step and
 * provider:model over all history; failing that, of the same task and provider:model. A hit with none
 * of these is counted as $0 saved and reported as unpriced, never guessed. A resumed run's replay of a
 * unit's own answer, paid by that run before it was stopped, is a hit that saved nothing.
 *
 * A repeated miss is a successful uncached call whose request was already answered in the window:
 * same cache key, or (for rows without one) same prompt to the same provider:model.
 */
import type { AverageCostRow, CachedAnswerCostRow } from "../contracts/report-store.js";
import { groupFacts, ratio, roundUsd, sumUsd } from "./breakdown.js";
import type { CallFact } from "./call-facts.js";
import type { CacheFigures, RepeatedMisses } from "./report-model.js";

export function cacheFigures(facts: readonly CallFact[], averages: readonly AverageCostRow[], answers: readonly CachedAnswerCostRow[] = []): CacheFigures {
  const byKey = new Map(answers.map((answer) => [answer.cacheKey, answer.costUsd]));
  const byStep = new Map<string, number>();
  const byTask = new Map<string, { calls: number; costUsd: number }>();
  for (const average of averages) {
    byStep.set(stepModelKey(average.pipelineName, average.step, average.provider, average.model), average.averageCostUsd);
    const key = taskModelKey(average.task, average.provider, average.model);
    const task = byTask.get(key) ?? { calls: 0, costUsd: 0 };
    task.calls += average.calls;
    task.costUsd += average.averageCostUsd * average.calls;
    byTask.set(key, task);
  }
  const hits = facts.filter((fact) => !fact.made);
  let unpricedHits = 0;
  const savings = hits.map((fact) => {
    const { row } = fact;
    // A resumed run's replay of its own answer: the run paid for it, nothing was saved.
    if (row.replaysOwnAnswer) return 0;
    const paid = row.cacheKey === null ? undefined : byKey.get(row.cacheKey);
    if (paid !== undefined) return paid;
    const step = byStep.get(stepModelKey(row.pipelineName, row.step, row.provider, row.model));
    if (step !== undefined) return step;
    const task = byTask.get(taskModelKey(row.task, row.provider, row.model));
    if (task !== undefined && task.calls > 0) return task.costUsd / task.calls;
    unpricedHits++;
    return 0;
  });
  const lookups = hits.length + facts.filter((fact) => fact.made && fact.row.attempt === 1).length;
  return {
    lookups,
    hits: hits.length,
    hitRate: ratio(hits.length, lookups),
    savedUsd: roundUsd(sumUsd(savings, (saving) => saving)),
    unpricedHits,
    repeatedMisses: repeatedMisses(facts),
  };
}

/** Successful uncached calls of one request beyond the first: a cache would have answered them. */
export function repeatedMisses(facts: readonly CallFact[]): RepeatedMisses {
  const answered = facts.filter((fact) => fact.made && fact.row.status === "succeeded");
  const requestOf = (fact: CallFact) => (fact.row.cacheKey === null ? `prompt ${fact.row.promptSha256} ${fact.model}` : `key ${fact.row.cacheKey}`);
  const repeated = [...groupFacts(answered, requestOf).values()].filter((members) => members.length > 1);
  const extra = repeated.flatMap((members) => members.slice(1));
  return { prompts: repeated.length, extraCalls: extra.length, extraCostUsd: sumUsd(extra, (fact) => fact.row.costUsd) };
}

function stepModelKey(pipeline: string, step: string, provider: string, model: string): string {
  return JSON.stringify([pipeline, step, provider, model]);
}

function taskModelKey(task: string, provider: string, model: string): string {
  return JSON.stringify([task, provider, model]);
}
