/**
 * Cache figures. A lookup happens once per step execution, before routing: so lookups are the
 * cache hits plus the first attempts that were not hits (an escalation does not look up again).
 *
 * Money saved by a hit is what the call it replaced would have cost, estimated as the average cost
 * of the successful uncached calls of the same pipeline, step and provider:model over all history;
 * failing that, of the same task and provider:model. A hit with neither is counted as $0 saved and
 * reported as unpriced, never guessed.
 */
import type { AverageCostRow } from "../store/report-queries.js";
import { groupFacts, ratio, roundUsd, sumUsd } from "./breakdown.js";
import type { CallFact } from "./call-facts.js";
import type { CacheFigures, RepeatedMisses } from "./report-model.js";

export function cacheFigures(facts: readonly CallFact[], averages: readonly AverageCostRow[]): CacheFigures {
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

/** Successful uncached calls of one prompt to one provider:model beyond the first: a cache would have answered them. */
export function repeatedMisses(facts: readonly CallFact[]): RepeatedMisses {
  const answered = facts.filter((fact) => fact.made && fact.row.status === "succeeded");
  const repeated = [...groupFacts(answered, (fact) => `${fact.row.promptSha256} ${fact.model}`).values()].filter((members) => members.length > 1);
  const extra = repeated.flatMap((members) => members.slice(1));
  return { prompts: repeated.length, extraCalls: extra.length, extraCostUsd: sumUsd(extra, (fact) => fact.row.costUsd) };
}

function stepModelKey(pipeline: string, step: string, provider: string, model: string): string {
  return JSON.stringify([pipeline, step, provider, model]);
}

function taskModelKey(task: string, provider: string, model: string): string {
  return JSON.stringify([task, provider, model]);
}
