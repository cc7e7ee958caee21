/**
 * What `orch plan` can know of a step before anything runs: whether its `when` holds (known when
 * it reads inputs only), its units of work (the items of a `for_each` list or glob, when they do
 * not come from upstream outputs), and each unit's prompt as it will be rendered — items, files
 * and context files included; upstream outputs, not written yet, rendered empty.
 */
import { listItems } from "../executor/fan-out.js";
import { evaluateExpression, isTruthy } from "../pipeline/evaluate-expression.js";
import { expressionReferences } from "../pipeline/expression.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { ParsedExpression, PipelineModel, PipelineStep } from "../pipeline/model.js";
import { renderStepMessages, type UpstreamOutput, type WorkUnit } from "../pipeline/render.js";
import type { ChatMessage } from "../providers/provider.js";

/** `runs`/`skipped`: the expression reads inputs only, so its value is known now; `may-skip`: it reads upstream outputs. */
export type WhenOutcome = "runs" | "skipped" | "may-skip";

export function whenOutcome(when: ParsedExpression, inputs: InputValues): WhenOutcome {
  if (readsUpstream(when)) return "may-skip";
  return isTruthy(evaluateExpression(when.expression, { inputs, steps: {} })) ? "runs" : "skipped";
}

function readsUpstream(expression: ParsedExpression): boolean {
  return expressionReferences(expression.expression).some((reference) => reference.root === "steps");
}

/** A step's units: every item when they can be listed now; else one unit standing for each of an unknown number. */
export type PlannedUnits = { known: true; units: WorkUnit[] } | { known: false; reason: string; units: WorkUnit[] };

export async function plannedUnits(pipeline: PipelineModel, step: PipelineStep, inputs: InputValues): Promise<PlannedUnits> {
  const fanOut = step.forEach;
  if (!fanOut) return { known: true, units: [{}] };
  if (fanOut.source.kind === "items" && readsUpstream(fanOut.source.items)) {
    return { known: false, reason: `the items (${fanOut.source.items.text}) come from upstream outputs`, units: [{ item: "", index: 0 }] };
  }
  const list = await listItems(pipeline.directory, fanOut, { inputs, steps: {} });
  if (!list.ok) return { known: false, reason: list.reason, units: [{ item: "", index: 0 }] };
  return { known: true, units: await Promise.all(list.units.map((unit) => unit())) };
}

/** The unit's messages as a run will render them, upstream outputs empty; the raw templates when rendering fails. */
export async function plannedMessages(
  pipeline: PipelineModel,
  step: PipelineStep,
  inputs: InputValues,
  emptyOutputs: ReadonlyMap<string, UpstreamOutput>,
  unit: WorkUnit,
): Promise<ChatMessage[]> {
  try {
    return await renderStepMessages(pipeline, step, inputs, emptyOutputs, unit);
  } catch {
    return [...(step.system ? [{ role: "system" as const, content: step.system.text }] : []), { role: "user", content: step.prompt.text }];
  }
}

