/**
 * Advice computed from the figures, each with the numbers behind it. Four kinds:
 * - cheaper-model: a model costs more than the threshold per successful step on a task while
 *   another succeeds as often (within 5 points) on that task for at most half the cost per success;
 * - local-share: the share of calls made locally is under the policy's `targets.local_share`;
 * - start-higher: a step escalated in every one of its executions (at least `minSamples`) and
 *   some of them kept an answer (a model that never passed is nowhere to start);
 * - repeated-misses: the same prompt was answered more than once by the same model, uncached.
 */
import { formatLimit, formatPercent, formatUsd } from "../policy/format.js";
import { groupFacts, ratio, roundUsd, sumUsd } from "./breakdown.js";
import type { CallFact } from "./call-facts.js";
import type { CacheFigures, EscalationFigures, Recommendation, ReportTargets, Totals } from "./report-model.js";

export interface RecommendationInputs {
  facts: readonly CallFact[];
  totals: Totals;
  cache: CacheFigures;
  escalations: EscalationFigures;
  targets: ReportTargets;
}

/** How much lower another model's success rate may be and still count as "as often". */
const successRateTolerance = 0.05;

export function recommendations(inputs: RecommendationInputs): Recommendation[] {
  return [...cheaperModels(inputs.facts, inputs.targets), ...localShare(inputs), ...startHigher(inputs), ...repeatedMisses(inputs.cache)];
}

interface ModelOnTask {
  task: string;
  model: string;
  calls: number;
  successes: number;
  successRate: number;
  spendUsd: number;
  costPerSuccessUsd: number;
}

function modelsOnTasks(facts: readonly CallFact[]): ModelOnTask[] {
  const made = facts.filter((fact) => fact.made);
  return [...groupFacts(made, (fact) => JSON.stringify([fact.row.task, fact.model]))]
    .map(([key, members]) => {
      const [task, model] = JSON.parse(key) as [string, string];
      const successes = members.filter((fact) => fact.accepted).length;
      const spendUsd = sumUsd(members, (fact) => fact.row.costUsd);
      return { task, model, calls: members.length, successes, successRate: ratio(successes, members.length), spendUsd, costPerSuccessUsd: successes === 0 ? Infinity : spendUsd / successes };
    });
}

function cheaperModels(facts: readonly CallFact[], targets: ReportTargets): Recommendation[] {
  const stats = modelsOnTasks(facts);
  const advice: Recommendation[] = [];
  for (const dear of stats) {
    if (dear.successes === 0 || dear.calls < targets.minSamples || dear.costPerSuccessUsd <= targets.costPerSuccessUsd) continue;
    const cheaper = stats
      .filter(
        (other) =>
          other.task === dear.task &&
          other.model !== dear.model &&
          other.successes >= targets.minSamples &&
          other.successRate >= dear.successRate - successRateTolerance &&
          other.costPerSuccessUsd <= dear.costPerSuccessUsd / 2,
      )
      .sort((a, b) => a.costPerSuccessUsd - b.costPerSuccessUsd || a.model.localeCompare(b.model))[0];
    if (!cheaper) continue;
    const savingUsd = roundUsd((dear.costPerSuccessUsd - cheaper.costPerSuccessUsd) * dear.successes);
    advice.push({
      kind: "cheaper-model",
      message:
        `${dear.task}: ${dear.model} costs ${formatUsd(dear.costPerSuccessUsd)} per successful step (${dear.successes} of ${dear.calls} calls, ${formatPercent(dear.successRate)}), ` +
        `over the ${formatLimit(targets.costPerSuccessUsd)} threshold; ${cheaper.model} succeeds ${formatPercent(cheaper.successRate)} (${cheaper.successes} of ${cheaper.calls}) ` +
        `at ${formatUsd(cheaper.costPerSuccessUsd)}: routing ${dear.task} there first would have saved about ${formatUsd(savingUsd)}`,
      figures: {
        task: dear.task,
        model: dear.model,
        costPerSuccessUsd: roundUsd(dear.costPerSuccessUsd),
        successes: dear.successes,
        calls: dear.calls,
        successRate: dear.successRate,
        cheaperModel: cheaper.model,
        cheaperCostPerSuccessUsd: roundUsd(cheaper.costPerSuccessUsd),
        cheaperSuccesses: cheaper.successes,
        cheaperCalls: cheaper.calls,
        cheaperSuccessRate: cheaper.successRate,
        thresholdUsd: targets.costPerSuccessUsd,
        savingUsd,
      },
    });
  }
  return advice.sort((a, b) => Number(b.figures.savingUsd) - Number(a.figures.savingUsd));
}

function localShare({ totals, targets, facts }: RecommendationInputs): Recommendation[] {
  const target = targets.localShare;
  if (target === undefined || totals.callsMade === 0 || totals.local.callShare >= target) return [];
  // The fewest calls that, moved to a local model, bring the share up to the target.
  const needed = Math.ceil(target * totals.callsMade - totals.local.calls - 1e-9);
  const paidByTask = [...groupFacts(facts.filter((fact) => fact.made && !fact.local), (fact) => fact.row.task)]
    .map(([task, members]) => ({ task, calls: members.length }))
    .sort((a, b) => b.calls - a.calls || a.task.localeCompare(b.task));
  const top = paidByTask[0];
  return [
    {
      kind: "local-share",
      message:
        `local share of calls is ${formatPercent(totals.local.callShare)} (${totals.local.calls} of ${totals.callsMade}), under the policy's target of ${formatPercent(target)}: ` +
        `${needed} more calls would have to run locally${top ? `; the task sent most to remote models is ${top.task} (${top.calls} calls)` : ""}`,
      figures: {
        localShare: totals.local.callShare,
        target,
        localCalls: totals.local.calls,
        callsMade: totals.callsMade,
        callsToMove: needed,
        ...(top ? { topRemoteTask: top.task, topRemoteTaskCalls: top.calls } : {}),
      },
    },
  ];
}

function startHigher({ escalations, targets }: RecommendationInputs): Recommendation[] {
  return escalations.bySteps
    .filter((row) => row.executions >= targets.minSamples && row.escalated === row.executions && Object.keys(row.finalModels).length > 0)
    .map((row) => {
      const [finalModel, finalCount] = Object.entries(row.finalModels).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ["", 0];
      return {
        kind: "start-higher" as const,
        message:
          `${row.pipeline}/${row.step} escalated in all ${row.executions} executions (${row.extraAttempts} extra attempts, ${formatUsd(row.extraCostUsd)} on attempts that were not kept); ` +
          `it ended on ${finalModel} ${finalCount} times: start it there (pin \`model:\` or raise \`quality:\`)`,
        figures: { pipeline: row.pipeline, step: row.step, executions: row.executions, escalated: row.escalated, extraAttempts: row.extraAttempts, extraCostUsd: row.extraCostUsd, finalModel, finalModelCount: finalCount },
      };
    });
}

function repeatedMisses(cache: CacheFigures): Recommendation[] {
  const misses = cache.repeatedMisses;
  if (misses.extraCalls === 0) return [];
  return [
    {
      kind: "repeated-misses",
      message:
        `${misses.prompts} prompt${misses.prompts === 1 ? " was" : "s were"} answered again by the same model without the cache: ` +
        `${misses.extraCalls} repeated call${misses.extraCalls === 1 ? "" : "s"} cost ${formatUsd(misses.extraCostUsd)} that a cache hit would have saved`,
      figures: { prompts: misses.prompts, extraCalls: misses.extraCalls, extraCostUsd: misses.extraCostUsd },
    },
  ];
}
