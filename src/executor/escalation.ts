/**
 * The attempts of one unit of work, until an answer passes the gates. In order: the route's
 * candidates, in the route's order (a cached answer never moves its candidate forward: it is
 * reused only when its own candidate's turn comes, see executor/cache.ts), each asked up to
 * `1 + retries` times while its answers are rejected; once an answer has been rejected, the
 * policy's `escalate:` chain (the matched rule's, else the policy's) follows. A failed call moves
 * on at once (providers retry transient errors themselves); a refused reservation too. Once an
 * answer has been rejected, each move to another model goes through the policy's `nextAttempt`: a
 * best-value route ranks what is left again given what was rejected, and with a `value_usd` the
 * stopping rule passes over, or stops at, models not worth their cost (the reason is the step's).
 * It stops at the first accepted answer, at `max_attempts`, when `max_cost_usd` leaves no room, at
 * the step's deadline, or on Ctrl-C. Every attempt is recorded, a rejected one with its reason, and
 * every verdict is learnt from at once (learning.ts).
 */
import type { Candidate, Decision } from "../policy/decision.js";
import { costRange } from "../policy/candidates.js";
import { inputTokenBound } from "../policy/estimate-tokens.js";
import { nextAttempt } from "../policy/next-attempt.js";
import type { ChatMessage } from "../providers/provider.js";
import type { StepStatus } from "../contracts/run-store.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import { attemptCandidate } from "./attempt.js";
import { checkAnswer } from "./gates.js";
import type { Route } from "./routing.js";
import type { RunContext } from "./run-context.js";
import type { AttemptRecord, UnitRun } from "./work-unit.js";

export interface UnitEnd {
  status: StepStatus;
  reason?: string;
  retryAfter?: string;
  upstream?: UpstreamOutput;
  outputFile?: string;
  winner?: AttemptRecord;
  /** The cache entry of the accepted answer: marked accepted in the step's closing commit (step-result.ts). */
  acceptedEntryId?: number;
}

interface Rejection {
  text: string;
  reason: string;
  details?: string;
}

export async function attemptUntilAccepted(
  context: RunContext,
  run: UnitRun,
  messages: ChatMessage[],
  route: Route,
  attempts: AttemptRecord[],
): Promise<UnitEnd> {
  const { step } = run;
  const { decision } = route;
  const queue = [...decision.candidates];
  const tried = new Set(queue.map((candidate) => `${candidate.provider}:${candidate.model}`));
  const refusals: string[] = [];
  /** Targets whose answers were rejected on this unit, in order: what the next estimates are conditioned on. */
  const rejected: string[] = [];
  let escalated = false;
  let lastProblem: string | undefined;
  let rejection: Rejection | undefined;

  for (let index = 0; index < queue.length; index++) {
    if (index > 0 && rejected.length > 0) {
      const choice = await chooseNext(context, run, route, queue.slice(index), rejected);
      if (choice.kind === "stop") return { status: "failed", reason: `${lastProblem ?? "no answer"}; ${choice.reason}` };
      queue.splice(index, queue.length - index, choice.candidate, ...choice.remaining);
    }
    const candidate = queue[index]!;
    for (let round = 0; round <= step.retries; round++) {
      const stopped = interruption(context, run, lastProblem);
      if (stopped) return stopped;
      if (step.maxAttempts !== undefined && attempts.length >= step.maxAttempts) {
        return { status: "failed", reason: `${lastProblem ?? "no answer"}; max_attempts (${step.maxAttempts}) reached` };
      }
      const asked = step.repair && rejection ? withRepair(messages, rejection) : messages;
      const spent = attempts.reduce((sum, attempt) => sum + attempt.costUsd, 0);
      const outcome = await attemptCandidate(context, {
        run,
        candidate,
        messages: asked,
        attemptNumber: () => context.nextAttempt(step.name, run.item),
        worstCaseUsd: worstCaseOf(candidate, messages, asked),
        ...(step.maxCostUsd === undefined ? {} : { spendLeftUsd: step.maxCostUsd - spent }),
      });
      if (outcome.kind === "interrupted") return interruption(context, run, lastProblem)!;
      if (outcome.kind === "refused") {
        refusals.push(`${candidate.reference}: ${outcome.reason}`);
        passOver(context, run, candidate, outcome.reason);
        break;
      }
      attempts.push(outcome.attempt);
      if (outcome.kind === "failed") {
        if (outcome.attempt.error?.kind === "aborted") return { status: "cancelled", reason: "the run was interrupted" };
        lastProblem = `${candidate.reference}: ${outcome.attempt.error?.message ?? "failed"}`;
        if (index < queue.length - 1) passOver(context, run, candidate, lastProblem);
        break;
      }
      const verdict = await checkAnswer(context, run, outcome.text, { provider: outcome.attempt.provider, model: outcome.attempt.model });
      // A check cut short by Ctrl-C says nothing about the answer: it is not marked rejected.
      if (!verdict.accepted && context.signal.aborted) return { status: "cancelled", reason: "the run was interrupted" };
      await learnVerdict(context, run, outcome, verdict.accepted, rejected);
      if (verdict.accepted) {
        return {
          status: "succeeded",
          upstream: verdict.upstream,
          winner: outcome.attempt,
          ...(verdict.file ? { outputFile: verdict.file } : {}),
          ...(outcome.entryId === undefined ? {} : { acceptedEntryId: outcome.entryId }),
        };
      }
      // As the store names it (the model that answered), so this run's figures and the store's agree.
      rejected.push(`${outcome.attempt.provider}:${outcome.attempt.model}`);
      rejection = { text: outcome.text, reason: verdict.reason, ...(verdict.details ? { details: verdict.details } : {}) };
      // From the first rejection on, the escalation chain waits behind the route's own candidates
      // (so the stopping rule weighs it too).
      if (!escalated) {
        escalated = true;
        for (const next of route.escalation(tried)) {
          tried.add(`${next.provider}:${next.model}`);
          queue.push(next);
        }
      }
      lastProblem = `${candidate.reference}: ${verdict.reason}`;
      await recordRejection(context, run, outcome.attempt, outcome.callId, outcome.entryId, verdict.reason, verdict.details);
      if (verdict.fatal) return { status: "failed", reason: verdict.reason };
    }
  }
  if (lastProblem !== undefined) return { status: "failed", reason: lastProblem };
  return whenNothingWorked(context, decision, refusals);
}

/** Ctrl-C ends the unit as cancelled, the step's deadline as failed; undefined while neither came. */
function interruption(context: RunContext, run: UnitRun, lastProblem: string | undefined): UnitEnd | undefined {
  if (context.signal.aborted) return { status: "cancelled", reason: "the run was interrupted" };
  if (run.signal.aborted) return { status: "failed", reason: `timed out after ${run.step.timeoutSeconds}s${lastProblem ? ` (last: ${lastProblem})` : ""}` };
  return undefined;
}

/** After a rejection: the policy picks the next model (or stops); models passed over are said so. */
async function chooseNext(context: RunContext, run: UnitRun, route: Route, remaining: Candidate[], rejected: readonly string[]) {
  const { decision } = route;
  const choice = nextAttempt({
    request: route.request,
    remaining,
    rejected,
    // The latest figures: this unit's own rejection and other processes' verdicts since routing.
    estimates: await context.learning.current(),
    strategy: decision.strategy ?? "chain",
    ...(decision.valueUsd === undefined ? {} : { valueUsd: decision.valueUsd }),
  });
  if (choice.kind === "attempt") {
    for (const skipped of choice.passedOver) passOver(context, run, skipped.candidate, skipped.reason);
  }
  return choice;
}

/** A verdict on a paid answer is recorded on its call and learnt from at once; a reused answer says nothing new about the model. */
async function learnVerdict(context: RunContext, run: UnitRun, outcome: { attempt: AttemptRecord; callId: number }, accepted: boolean, rejectedBefore: readonly string[]): Promise<void> {
  const { attempt } = outcome;
  await context.store.executions.recordVerdict(outcome.callId, accepted ? "accepted" : "rejected", context.now().toISOString(), run.step.language);
  if (attempt.cached) return;
  context.learning.record({
    target: `${attempt.provider}:${attempt.model}`,
    task: run.step.task,
    ...(run.step.language === undefined ? {} : { language: run.step.language }),
    failedBefore: [...rejectedBefore],
    accepted,
    costUsd: attempt.costUsd,
  });
}

function withRepair(messages: ChatMessage[], rejection: Rejection): ChatMessage[] {
  const details = rejection.details ? `\n\n\`\`\`\n${rejection.details}\n\`\`\`` : "";
  return [
    ...messages,
    { role: "assistant", content: rejection.text },
    { role: "user", content: `That answer was rejected: ${rejection.reason}.${details}\n\nReply with the complete corrected answer, in the same format.` },
  ];
}

/** The candidate's worst case, repriced with the extra input a repair prompt adds at the same bound (it may cross a tier). */
function worstCaseOf(candidate: Candidate, base: readonly ChatMessage[], asked: readonly ChatMessage[]): number {
  if (asked === base || !candidate.prices) return candidate.estimatedCostUsd.max;
  const input = candidate.worstCaseTokens.input + inputTokenBound(asked.slice(base.length).map((message) => message.content));
  return costRange(candidate.prices, input, candidate.worstCaseTokens.output, input, candidate.worstCaseTokens.cacheWrites).max;
}

function passOver(context: RunContext, run: UnitRun, candidate: Candidate, reason: string): void {
  context.emit({ type: "candidate-skipped", step: run.step.name, reference: candidate.reference, reason, at: context.now().toISOString() });
}

async function recordRejection(context: RunContext, run: UnitRun, attempt: AttemptRecord, callId: number, entryId: number | undefined, reason: string, checkerOutput: string | undefined): Promise<void> {
  attempt.rejected = reason;
  if (checkerOutput) attempt.checkerOutput = checkerOutput;
  await context.store.executions.rejectAnswer(callId, reason, checkerOutput, entryId);
  context.emit({
    type: "answer-rejected",
    step: run.step.name,
    ...(run.item === undefined ? {} : { item: run.item }),
    attempt: attempt.attempt,
    provider: attempt.provider,
    model: attempt.model,
    reason,
    ...(checkerOutput ? { checkerOutput } : {}),
    at: context.now().toISOString(),
  });
}

function whenNothingWorked(context: RunContext, decision: Decision, refusals: string[]): UnitEnd {
  if (refusals.length > 0) return { status: "budget_stopped", reason: `no candidate fits the budget (${refusals.join("; ")})` };
  const exhausted = decision.exhausted;
  if (exhausted?.action === "defer") {
    const retryAfter = new Date(context.now().getTime() + (exhausted.retryAfterMs ?? 0)).toISOString();
    return { status: "deferred", reason: exhausted.reason, retryAfter };
  }
  const budgetNotes = decision.notes.filter((note) => !note.kept && /budget|left|exceeds/.test(note.reason));
  const dropped = decision.notes.filter((note) => !note.kept).map((note) => `${note.reference}: ${note.reason}`);
  const reason = exhausted?.reason ?? (dropped.length > 0 ? `no usable model (${dropped.join("; ")})` : `no model routed for "${decision.matched}"`);
  if (budgetNotes.length > 0 && budgetNotes.length === dropped.length) return { status: "budget_stopped", reason };
  return { status: "failed", reason };
}
