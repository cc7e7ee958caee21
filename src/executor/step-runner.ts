/**
 * Runs one step: check its `when` → run its unit of work (or one per `for_each` item, under the
 * step's cap) → record the result. A unit is: render → route → attempts until an answer passes the
 * gates (escalation.ts). The step's deadline (`timeout_seconds`) covers all of it.
 */
import type { PipelineStep } from "../pipeline/model.js";
import { evaluateExpression, isTruthy } from "../pipeline/evaluate-expression.js";
import { renderStepMessages, TemplateRenderError, type UpstreamOutput } from "../pipeline/render.js";
import type { Decision } from "../policy/decision.js";
import { promptOfUnit, type UnitPrompt } from "./call-log.js";
import { attemptUntilAccepted, type UnitEnd } from "./escalation.js";
import { expressionData, listItems, runWithCap } from "./fan-out.js";
import type { RunContext } from "./run-context.js";
import { routeUnit } from "./routing.js";
import type { StepOutcome } from "./scheduler.js";
import { finishStep, type ItemResult, type StepEnd } from "./step-result.js";
import type { AttemptRecord, UnitRun } from "./work-unit.js";

interface UnitResult {
  end: UnitEnd;
  attempts: AttemptRecord[];
  decision?: Decision;
  /** For a for_each item: the item itself. */
  item?: unknown;
  /** The rendered messages (or their hash), for the step JSON; absent when rendering failed. */
  prompt?: UnitPrompt;
}

export async function runStep(context: RunContext, step: PipelineStep): Promise<StepOutcome> {
  const startedAt = context.now().toISOString();
  const stepExecutionId = context.stepExecutionIds.get(step.name)!;
  // No commit of its own: the step's row says "running" from its first recorded call (call-records.ts).
  context.emit({ type: "step-start", step: step.name, at: startedAt });
  const signal = step.timeoutSeconds ? AbortSignal.any([context.signal, AbortSignal.timeout(step.timeoutSeconds * 1000)]) : context.signal;

  if (step.when && !isTruthy(evaluateExpression(step.when.expression, expressionData(context, step.when.expression)))) {
    context.outputs.set(step.name, { output: "", skipped: true });
    return finishStep(context, step, startedAt, { status: "skipped", reason: `when: ${step.when.text} is false` }, [], undefined);
  }
  if (step.forEach) return runFanOut(context, step, stepExecutionId, startedAt, signal);

  const result = await runUnit(context, { step, unit: {}, stepExecutionId, signal });
  const { end } = result;
  if (end.status === "succeeded" && end.upstream) context.outputs.set(step.name, end.upstream);
  const stepEnd: StepEnd = {
    status: end.status,
    ...(end.reason ? { reason: end.reason } : {}),
    ...(end.retryAfter ? { retryAfter: end.retryAfter } : {}),
    ...(end.upstream ? { output: end.upstream.output } : {}),
    ...(end.outputFile ? { outputFiles: [end.outputFile] } : {}),
    ...(end.winner ? { winners: [end.winner] } : {}),
    ...(result.prompt ? { prompt: result.prompt } : {}),
    ...(end.acceptedEntryId === undefined ? {} : { acceptedEntries: [end.acceptedEntryId] }),
  };
  return finishStep(context, step, startedAt, stepEnd, result.attempts, result.decision);
}

async function runUnit(context: RunContext, run: UnitRun): Promise<UnitResult> {
  const attempts: AttemptRecord[] = [];
  try {
    const messages = await renderStepMessages(context.pipeline, run.step, context.inputs, context.outputs, run.unit);
    const route = await routeUnit(context, run.step, messages);
    const end = await attemptUntilAccepted(context, run, messages, route, attempts);
    return { end, attempts, decision: route.decision, prompt: promptOfUnit(context, run.step, messages) };
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    return { end: { status: "failed", reason: context.redact(`template error: ${error.message}`) }, attempts };
  }
}

async function runFanOut(context: RunContext, step: PipelineStep, stepExecutionId: number, startedAt: string, signal: AbortSignal): Promise<StepOutcome> {
  const source = step.forEach!.source;
  const data = source.kind === "items" ? expressionData(context, source.items.expression) : { inputs: context.inputs, steps: {} };
  const list = await listItems(context.pipeline.directory, step.forEach!, data);
  if (!list.ok) return finishStep(context, step, startedAt, { status: "failed", reason: list.reason }, [], undefined);
  context.emit({ type: "items-start", step: step.name, count: list.units.length, at: context.now().toISOString() });
  const results = await runWithCap(
    list.units.length,
    step.forEach!.concurrency,
    signal,
    async (index, slot): Promise<UnitResult> => {
      let unit;
      try {
        unit = await list.units[index]!();
      } catch (error) {
        const end: UnitEnd = { status: "failed", reason: `item ${index}: ${(error as Error).message}` };
        reportItemEnd(context, step.name, index, end);
        return { end, attempts: [] };
      }
      const result = await runUnit(context, { step, item: index, unit, stepExecutionId, signal, slot });
      reportItemEnd(context, step.name, index, result.end);
      return { ...result, item: unit.item };
    },
    (): UnitResult => ({
      end: context.signal.aborted ? { status: "cancelled", reason: "the run was interrupted" } : { status: "failed", reason: `timed out after ${step.timeoutSeconds}s` },
      attempts: [],
    }),
  );

  const items: ItemResult[] = results.map((result, index) => ({ index, item: result.item, end: result.end, ...(result.prompt ? { prompt: result.prompt } : {}) }));
  const failures = failuresOf(step, items);
  const status = failures?.withinAllowance ? "succeeded" : worstStatus(items.map((item) => item.end.status));
  const firstProblem = items.find((item) => item.end.status !== "succeeded");
  const succeeded = status === "succeeded";
  // Dependents read the items that succeeded: a tolerated failure is not an empty answer.
  const upstream = succeeded ? fanOutOutput(step, items.filter((item) => item.end.status === "succeeded")) : undefined;
  if (upstream) context.outputs.set(step.name, upstream);
  const stepEnd: StepEnd = {
    status,
    ...(failures ? { failuresAllowed: { failed: failures.failed, allowed: failures.allowed } } : {}),
    ...(firstProblem ? { reason: `item ${firstProblem.index}: ${firstProblem.end.reason ?? firstProblem.end.status}` } : {}),
    ...(upstream ? { output: JSON.stringify(upstream) } : {}),
    outputFiles: items.flatMap((item) => (item.end.outputFile ? [item.end.outputFile] : [])),
    winners: items.flatMap((item) => (item.end.winner ? [item.end.winner] : [])),
    acceptedEntries: items.flatMap((item) => (item.end.acceptedEntryId === undefined ? [] : [item.end.acceptedEntryId])),
    items,
  };
  return finishStep(context, step, startedAt, stepEnd, results.flatMap((result) => result.attempts), results[0]?.decision);
}

/** Progress of a fan-out for the live view: one event per item as it ends. */
function reportItemEnd(context: RunContext, step: string, item: number, end: UnitEnd): void {
  const winner = end.winner;
  context.emit({
    type: "item-end",
    step,
    item,
    status: end.status,
    ...(winner ? { provider: winner.provider, model: winner.model, ...(winner.cached ? { cached: true as const } : {}) } : {}),
    at: context.now().toISOString(),
  });
}

/** What dependents read of a for_each step: every item's output, in order, and the items themselves. */
function fanOutOutput(step: PipelineStep, items: readonly ItemResult[]): UpstreamOutput {
  const outputs = items.map((item) => item.end.upstream?.output ?? "");
  const upstream: UpstreamOutput = {
    output: outputs.join("\n\n"),
    outputs,
    items: items.map((item) => ({
      item: item.item,
      output: item.end.upstream?.output ?? "",
      ...(item.end.upstream?.json === undefined ? {} : { json: item.end.upstream.json }),
    })),
  };
  if (step.output.format === "json") upstream.json = items.map((item) => item.end.upstream?.json);
  return upstream;
}

/**
 * `allow_failures`: how many items failed and how many the step tolerates (a fraction of the
 * items, rounded down). Only failures are tolerated: an item stopped by the budget, deferred or
 * cancelled still ends the step so, as the budget and Ctrl-C mean.
 */
function failuresOf(step: PipelineStep, items: readonly ItemResult[]): { failed: number; allowed: number; withinAllowance: boolean } | undefined {
  const allowance = step.forEach?.allowFailures;
  if (!allowance) return undefined;
  const failed = items.filter((item) => item.end.status === "failed").length;
  const allowed = "count" in allowance ? allowance.count : Math.floor(allowance.fraction * items.length);
  const othersSucceeded = items.every((item) => item.end.status === "succeeded" || item.end.status === "failed");
  return { failed, allowed, withinAllowance: othersSucceeded && failed <= allowed };
}

/** The step's status from its items': a failure outranks a budget stop, a deferral and a cancellation. */
function worstStatus(statuses: readonly UnitEnd["status"][]): UnitEnd["status"] {
  for (const status of ["failed", "budget_stopped", "deferred", "cancelled"] as const) {
    if (statuses.includes(status)) return status;
  }
  return "succeeded";
}
