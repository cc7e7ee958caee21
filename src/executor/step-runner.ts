/**
 * Runs one step: render → estimate → decide → for each candidate: reserve, call, settle, record →
 * deliver the output. A failed candidate hands over to the next one (fallback); a refused
 * reservation moves on too; when none is left the step ends failed, stopped by budget or deferred.
 */
import { createHash } from "node:crypto";
import type { PipelineStep } from "../pipeline/model.js";
import { renderStepMessages, TemplateRenderError } from "../pipeline/render.js";
import { decide } from "../policy/decide.js";
import type { Candidate, Decision, ProviderState, RouteRequest } from "../policy/decision.js";
import { estimateTokens } from "../policy/estimate-tokens.js";
import type { ChatMessage, TokenUsage } from "../providers/provider.js";
import type { StepStatus } from "../store/run-repository.js";
import { writeStepResult } from "../store/results-folder.js";
import { attemptCandidate, type AttemptRecord } from "./attempt.js";
import { deliverOutput, OutputRejectedError } from "./output.js";
import type { RunContext } from "./run-context.js";
import type { StepOutcome } from "./scheduler.js";

/** Per-message framing tokens the APIs add around each message; a small, honest overestimate. */
const framingTokensPerMessage = 4;

interface StepEnd {
  status: StepStatus;
  reason?: string;
  retryAfter?: string;
  output?: string;
  outputFile?: string;
  winner?: AttemptRecord;
}

export async function runStep(context: RunContext, step: PipelineStep): Promise<StepOutcome> {
  const startedAt = context.now().toISOString();
  const stepExecutionId = context.stepExecutionIds.get(step.name)!;
  context.runs.markStepRunning(stepExecutionId, startedAt);
  context.emit({ type: "step-start", step: step.name, at: startedAt });

  const attempts: AttemptRecord[] = [];
  let decision: Decision | undefined;
  let end: StepEnd;
  try {
    const messages = await renderStepMessages(context.pipeline, step, context.inputs, context.outputs);
    const now = context.now().getTime();
    decision = decide(routeRequestFor(context, step, messages), context.policy, {
      now,
      budgetLeftUsd: context.ledger.left({ tags: step.tags }),
      providers: withCooldowns(context, now),
      history: context.history,
      pricesFor: context.pricesFor,
    });
    end = await tryCandidates(context, step, messages, decision, attempts, stepExecutionId);
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    end = { status: "failed", reason: `template error: ${error.message}` };
  }

  return finishStep(context, step, stepExecutionId, startedAt, end, attempts, decision);
}

function withCooldowns(context: RunContext, now: number): Record<string, ProviderState> {
  return Object.fromEntries(
    Object.entries(context.providerStates).map(([id, state]) => {
      const until = context.health.coolingDownUntil(id, now);
      return [id, until === undefined ? state : { ...state, coolingDownUntil: until }];
    }),
  );
}

function routeRequestFor(context: RunContext, step: PipelineStep, messages: readonly ChatMessage[]): RouteRequest {
  const estimatedInputTokens = messages.reduce((sum, message) => sum + estimateTokens(message.content) + framingTokensPerMessage, 0);
  return {
    step: step.name,
    pipeline: context.pipeline.name,
    task: step.task,
    ...(step.language === undefined ? {} : { language: step.language }),
    quality: step.quality,
    estimatedInputTokens,
    maxOutputTokens: step.maxTokens,
    sensitive: step.sensitive,
    tags: step.tags,
    ...(step.model === undefined ? {} : { pinnedModel: step.model }),
  };
}

async function tryCandidates(
  context: RunContext,
  step: PipelineStep,
  messages: ChatMessage[],
  decision: Decision,
  attempts: AttemptRecord[],
  stepExecutionId: number,
): Promise<StepEnd> {
  const refusals: string[] = [];
  let lastFailure: string | undefined;
  for (const candidate of decision.candidates) {
    if (context.signal.aborted) return { status: "cancelled", reason: "the run was interrupted" };
    const outcome = await attemptCandidate(context, step, messages, candidate, attempts.length + 1, stepExecutionId);
    if (outcome.kind === "refused") {
      refusals.push(`${candidate.reference}: ${outcome.reason}`);
      context.emit({ type: "candidate-skipped", step: step.name, reference: candidate.reference, reason: outcome.reason, at: context.now().toISOString() });
      continue;
    }
    attempts.push(outcome.attempt);
    if (outcome.kind === "failed") {
      lastFailure = `${candidate.reference}: ${outcome.attempt.error?.message ?? "failed"}`;
      if (outcome.attempt.error?.kind === "aborted") return { status: "cancelled", reason: "the run was interrupted" };
      if (attempts.length < decision.candidates.length) {
        context.emit({ type: "candidate-skipped", step: step.name, reference: candidate.reference, reason: lastFailure, at: context.now().toISOString() });
      }
      continue;
    }
    try {
      const delivered = await deliverOutput(context, step, outcome.text);
      context.outputs.set(step.name, delivered.upstream);
      return { status: "succeeded", output: outcome.text, winner: outcome.attempt, ...(delivered.file ? { outputFile: delivered.file } : {}) };
    } catch (error) {
      if (!(error instanceof OutputRejectedError)) throw error;
      outcome.attempt.rejected = error.message;
      lastFailure = `${candidate.reference}: ${error.message}`;
    }
  }
  return whenNothingWorked(decision, refusals, lastFailure, context);
}

function whenNothingWorked(decision: Decision, refusals: string[], lastFailure: string | undefined, context: RunContext): StepEnd {
  if (lastFailure !== undefined) return { status: "failed", reason: lastFailure };
  if (refusals.length > 0) return { status: "budget_stopped", reason: `no candidate fits the budget (${refusals.join("; ")})` };
  const exhausted = decision.exhausted;
  if (exhausted?.action === "defer") {
    const retryAfter = new Date(context.now().getTime() + (exhausted.retryAfterMs ?? 0)).toISOString();
    return { status: "deferred", reason: exhausted.reason, retryAfter };
  }
  const budgetNotes = decision.notes.filter((note) => !note.kept && /budget|left|exceeds/.test(note.reason));
  const dropped = decision.notes.filter((note) => !note.kept);
  // The same cause (a missing key) often drops several models of one provider: say it once.
  const causes = [...new Set(dropped.map((note) => note.reason.replace(/^dropped: /, "")))];
  const headline = exhausted?.reason ?? (dropped.length > 0 ? "no usable model" : `no model routed for "${decision.matched}"`);
  const reason = causes.length > 0 ? `${headline} — ${causes.join("; ")}` : headline;
  if (budgetNotes.length > 0 && budgetNotes.length === dropped.length) return { status: "budget_stopped", reason };
  return { status: "failed", reason };
}

async function finishStep(
  context: RunContext,
  step: PipelineStep,
  stepExecutionId: number,
  startedAt: string,
  end: StepEnd,
  attempts: readonly AttemptRecord[],
  decision: Decision | undefined,
): Promise<StepOutcome> {
  const finishedAt = context.now().toISOString();
  const usage = totalUsage(attempts);
  const costUsd = attempts.reduce((sum, attempt) => sum + attempt.costUsd, 0);
  const winner = end.winner;
  const synthetic = attempts.some((attempt) => attempt.synthetic);
  context.runs.finishStep(stepExecutionId, {
    status: end.status,
    finishedAt,
    ...(winner ? { provider: winner.provider, model: winner.model } : {}),
    ...(end.output === undefined ? {} : { output: end.output, outputSha256: sha256(end.output) }),
    ...(end.outputFile ? { outputFile: end.outputFile } : {}),
    ...(end.status === "failed" ? { errorKind: attempts.at(-1)?.error?.kind ?? "step", errorMessage: end.reason } : {}),
    ...(end.status !== "succeeded" && end.status !== "failed" && end.reason ? { skipReason: end.reason } : {}),
    ...(end.retryAfter ? { retryAfter: end.retryAfter } : {}),
    attempts: attempts.length,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd,
  });
  await writeStepResult(context.resultsDirectory, step.name, {
    step: step.name,
    status: end.status,
    ...(end.reason ? { reason: end.reason } : {}),
    ...(end.retryAfter ? { retryAfter: end.retryAfter } : {}),
    synthetic,
    output: end.output ?? null,
    outputFile: end.outputFile ?? null,
    route: decision
      ? {
          matched: decision.matched,
          candidates: decision.candidates.map((candidate: Candidate) => candidate.reference),
          notes: decision.notes,
          chosen: winner ? `${winner.provider}:${winner.model}` : null,
        }
      : null,
    usage,
    costUsd,
    attempts,
    startedAt,
    finishedAt,
  });
  context.emit({
    type: "step-end",
    step: step.name,
    status: end.status,
    ...(winner ? { provider: winner.provider, model: winner.model } : {}),
    synthetic,
    usage,
    costUsd,
    attempts: attempts.length,
    ...(end.outputFile ? { outputFile: end.outputFile } : {}),
    ...(end.reason && end.status !== "succeeded" ? { reason: end.reason } : {}),
    at: finishedAt,
  });
  return end.status === "running" || end.status === "pending" || end.status === "skipped" ? "failed" : end.status;
}

function totalUsage(attempts: readonly AttemptRecord[]): TokenUsage {
  return {
    inputTokens: attempts.reduce((sum, attempt) => sum + attempt.usage.inputTokens, 0),
    outputTokens: attempts.reduce((sum, attempt) => sum + attempt.usage.outputTokens, 0),
  };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
