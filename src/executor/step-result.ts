/**
 * The end of a step, written everywhere it belongs: its row in SQLite, `<step>.json` in the
 * results folder (route, every attempt with its cost and why it was rejected, which model passed)
 * and the `step-end` event.
 */
import { createHash } from "node:crypto";
import type { PipelineStep } from "../pipeline/model.js";
import type { Candidate, Decision } from "../policy/decision.js";
import type { TokenUsage } from "../providers/provider.js";
import { stepResultDocument } from "../store/results-folder.js";
import type { StepFinish, StepStatus } from "../contracts/run-store.js";
import type { UnitPrompt } from "./call-log.js";
import type { UnitEnd } from "./escalation.js";
import type { RunContext } from "./run-context.js";
import { nanoToUsd, usdToNano } from "../money/nano.js";
import { noEarlierCalls, type EarlierCalls } from "./earlier-calls.js";
import type { StepOutcome } from "./scheduler.js";
import type { AttemptRecord } from "./work-unit.js";

export interface ItemResult {
  index: number;
  item: unknown;
  end: UnitEnd;
  /** The item's rendered messages (or their hash). */
  prompt?: UnitPrompt;
}

export interface StepEnd {
  status: StepStatus;
  reason?: string;
  retryAfter?: string;
  /** What is stored as the step's output: the accepted answer (for a for_each step, its upstream view as JSON). */
  output?: string;
  outputFiles?: string[];
  /** The attempts whose answers were accepted (one per item for a for_each step). */
  winners?: AttemptRecord[];
  /** Cache entries of the accepted answers, marked accepted in the step's closing commit. */
  acceptedEntries?: number[];
  items?: ItemResult[];
  /** A for_each step with `allow_failures`: its failed items and how many it tolerates. */
  failuresAllowed?: { failed: number; allowed: number };
  /** The unit's rendered messages (or their hash) of a plain step; a for_each step's are on its items. */
  prompt?: UnitPrompt;
}

export async function finishStep(
  context: RunContext,
  step: PipelineStep,
  startedAt: string,
  end: StepEnd,
  attempts: readonly AttemptRecord[],
  decision: Decision | undefined,
): Promise<StepOutcome> {
  const stepExecutionId = context.stepExecutionIds.get(step.name)!;
  const finishedAt = context.now().toISOString();
  // The step's figures are those of all its calls in this run: a resumed step adds what an earlier
  // process of the run paid for it (its answer, reused now, is a `cached` attempt at $0).
  const earlier = context.earlierCalls.get(step.name) ?? noEarlierCalls;
  const paid = attempts.filter((attempt) => !attempt.cached);
  const usage = totalUsage(paid, earlier);
  const costUsd = nanoToUsd(paid.reduce((sum, attempt) => sum + usdToNano(attempt.costUsd), earlier.costNano));
  const attemptCount = earlier.calls + attempts.length;
  const winner = end.winners?.[0];
  const synthetic = attempts.some((attempt) => attempt.synthetic);
  const cached = (end.winners?.length ?? 0) > 0 && end.winners!.every((attempt) => attempt.cached);
  const outputFile = end.outputFiles?.length === 1 ? end.outputFiles[0] : undefined;
  const document = stepResultDocument({
    step: step.name,
    status: end.status,
    ...(end.reason ? { reason: end.reason } : {}),
    ...(end.retryAfter ? { retryAfter: end.retryAfter } : {}),
    synthetic,
    cached,
    ...(end.prompt ?? {}),
    output: end.items ? null : (end.output ?? null),
    outputFile: outputFile ?? null,
    ...(end.outputFiles && end.outputFiles.length > 1 ? { outputFiles: end.outputFiles } : {}),
    route: decision
      ? {
          matched: decision.matched,
          candidates: decision.candidates.map((candidate: Candidate) => candidate.reference),
          notes: decision.notes,
          chosen: winner ? `${winner.provider}:${winner.model}` : null,
        }
      : null,
    ...(winner ? { acceptedFrom: `${winner.provider}:${winner.model}` } : {}),
    ...(end.items ? { items: end.items.map(itemSummary) } : {}),
    ...(end.failuresAllowed ? { failuresAllowed: end.failuresAllowed } : {}),
    usage,
    costUsd,
    // Every attempt of the step in this run, whichever process made it: the figures above are theirs.
    attempts: [...earlier.attempts, ...attempts],
    startedAt,
    finishedAt,
  });
  const finish: StepFinish = {
    status: end.status,
    startedAt,
    finishedAt,
    ...(winner ? { provider: winner.provider, model: winner.model } : {}),
    ...(end.output === undefined ? {} : { output: end.output, outputSha256: sha256(end.output) }),
    ...(end.outputFiles?.length ? { outputFile: end.outputFiles.join("\n") } : {}),
    ...(end.status === "failed" ? { errorKind: attempts.at(-1)?.error?.kind ?? (attempts.at(-1)?.rejected ? "rejected" : "step"), errorMessage: end.reason } : {}),
    ...(end.status !== "succeeded" && end.status !== "failed" && end.reason ? { skipReason: end.reason } : {}),
    ...(end.retryAfter ? { retryAfter: end.retryAfter } : {}),
    attempts: attemptCount,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd,
    resultJson: document,
  };
  // One commit closes the step: its row, its document, and its answers marked accepted (shareable
  // from now on). A crash before it re-runs the step on resume, which finds its own answers again.
  await context.store.runs.finishStep(stepExecutionId, finish, end.acceptedEntries ?? []);
  // The file follows, written off this path by the run's writer. A process killed before it is in
  // place leaves it missing, and `--resume` writes it from the row (store/results-folder.ts), so
  // deferring the write loses nothing.
  context.stepFiles.write(step.name, document);
  context.emit({
    type: "step-end",
    step: step.name,
    status: end.status,
    ...(winner ? { provider: winner.provider, model: winner.model } : {}),
    synthetic,
    usage,
    costUsd,
    attempts: attemptCount,
    ...(outputFile ? { outputFile } : {}),
    ...(end.reason && end.status !== "succeeded" ? { reason: end.reason } : {}),
    ...(cached ? { cached: true as const } : {}),
    ...(end.items ? { items: end.items.length, itemsNotSucceeded: end.items.filter((item) => item.end.status !== "succeeded").length, models: modelsOfItems(end.items) } : {}),
    ...(end.failuresAllowed ? { failuresAllowed: end.failuresAllowed } : {}),
    ...(end.reason && end.status === "succeeded" && end.failuresAllowed?.failed ? { reason: end.reason } : {}),
    at: finishedAt,
  });
  return end.status === "running" || end.status === "pending" ? "failed" : end.status;
}

/** The accepted models of a fan-out's items, counted, most used first (ties by name). */
function modelsOfItems(items: readonly ItemResult[]): { target: string; items: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const winner = item.end.winner;
    if (winner) counts.set(`${winner.provider}:${winner.model}`, (counts.get(`${winner.provider}:${winner.model}`) ?? 0) + 1);
  }
  return [...counts].map(([target, count]) => ({ target, items: count })).sort((a, b) => b.items - a.items || a.target.localeCompare(b.target));
}

function itemSummary(item: ItemResult) {
  return {
    index: item.index,
    item: item.item,
    ...(item.prompt ?? {}),
    status: item.end.status,
    ...(item.end.reason ? { reason: item.end.reason } : {}),
    output: item.end.upstream?.output ?? null,
    outputFile: item.end.outputFile ?? null,
    acceptedFrom: item.end.winner ? `${item.end.winner.provider}:${item.end.winner.model}` : null,
  };
}

function totalUsage(attempts: readonly AttemptRecord[], earlier: EarlierCalls): TokenUsage {
  return {
    inputTokens: attempts.reduce((sum, attempt) => sum + attempt.usage.inputTokens, earlier.inputTokens),
    outputTokens: attempts.reduce((sum, attempt) => sum + attempt.usage.outputTokens, earlier.outputTokens),
  };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
