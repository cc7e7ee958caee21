/**
 * Escalations: a step execution that needed more than one attempt, because the earlier candidates
 * failed or their answer was rejected (the executor stops at the first accepted answer, so every
 * attempt but the last one was a failure or a rejection). Their extra cost is what the attempts
 * before the last one cost: what starting at the final model would have saved.
 */
import { groupFacts, ratio, sumUsd } from "./breakdown.js";
import type { CallFact } from "./call-facts.js";
import type { EscalationFigures, EscalationRow } from "./report-model.js";

export function escalationFigures(facts: readonly CallFact[]): EscalationFigures {
  const executions = [...groupFacts(facts, (fact) => fact.stepKey).values()].map((attempts) => attempts.sort((a, b) => a.row.attempt - b.row.attempt));
  const escalated = executions.filter((attempts) => (attempts[attempts.length - 1]?.row.lastAttempt ?? 1) > 1);
  const isEscalated = new Set(escalated);
  const bySteps = [...groupFacts(executions, (attempts) => JSON.stringify([attempts[0]!.row.pipelineName, attempts[0]!.row.step]))].map(
    ([key, stepExecutions]): EscalationRow => {
      const [pipeline, step] = JSON.parse(key) as [string, string];
      const escalatedHere = stepExecutions.filter((attempts) => isEscalated.has(attempts));
      const finalModels: Record<string, number> = {};
      const failedFinalModels: Record<string, number> = {};
      for (const attempts of escalatedHere) {
        const last = attempts[attempts.length - 1]!;
        // An execution whose last attempt failed or was rejected ended on no model: it is listed apart.
        if (last.accepted) finalModels[last.model] = (finalModels[last.model] ?? 0) + 1;
        else if (last.row.attempt === last.row.lastAttempt) failedFinalModels[last.model] = (failedFinalModels[last.model] ?? 0) + 1;
      }
      return {
        pipeline,
        step,
        executions: stepExecutions.length,
        escalated: escalatedHere.length,
        extraAttempts: sumExtraAttempts(escalatedHere),
        extraCostUsd: sumUsd(escalatedHere.flatMap(earlierAttempts), (fact) => fact.row.costUsd),
        costUsd: sumUsd(escalatedHere.flat(), (fact) => fact.row.costUsd),
        finalModels,
        failedFinalModels,
      };
    },
  );
  return {
    stepExecutions: executions.length,
    escalatedExecutions: escalated.length,
    rate: ratio(escalated.length, executions.length),
    extraAttempts: sumExtraAttempts(escalated),
    extraCostUsd: sumUsd(escalated.flatMap(earlierAttempts), (fact) => fact.row.costUsd),
    costUsd: sumUsd(escalated.flat(), (fact) => fact.row.costUsd),
    bySteps: bySteps.filter((row) => row.escalated > 0).sort((a, b) => b.extraCostUsd - a.extraCostUsd || b.escalated - a.escalated || a.step.localeCompare(b.step)),
  };
}

/** Every attempt but the last. */
function earlierAttempts(attempts: readonly CallFact[]): CallFact[] {
  return attempts.filter((fact) => fact.row.attempt < fact.row.lastAttempt);
}

function sumExtraAttempts(executions: readonly (readonly CallFact[])[]): number {
  return executions.reduce((total, attempts) => total + attempts.filter((fact) => fact.row.attempt > 1).length, 0);
}
