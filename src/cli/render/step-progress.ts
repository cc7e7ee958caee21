/**
 * What the live view says of a step between its start and its end, from the event stream alone:
 * waiting for its needs, queued for a free slot, running, held back by a provider's rate limit,
 * and for a `for_each` step how many items are done, how many failed and which models answered.
 * Pure bookkeeping: the listr2 view turns `titleOf` into a task title.
 */
import type { RunEvent } from "../../executor/events.js";
import type { PipelineModel } from "../../pipeline/model.js";
import { formatDuration, modelsSummary } from "./summary.js";

export type StepPhase =
  /** Not started: some needs have not ended yet. */
  | "waiting"
  /** Not started, every need ended: waiting for a free slot (`--concurrency`). */
  | "queued"
  /** Started: rendering, routing, calling or checking. */
  | "running"
  /** Started, but the next call waits for a provider's rate limit, or for an identical call another process is making. */
  | "held"
  /** Ended (the renderer shows its end line instead). */
  | "ended";

interface StepState {
  phase: StepPhase;
  needs: readonly string[];
  heldBy?: string;
  items?: { total: number; done: number; failed: number; models: Map<string, number> };
}

export interface StepProgress {
  /** Takes an event; returns the steps whose title changed. */
  onEvent(event: RunEvent): string[];
  phaseOf(step: string): StepPhase;
  titleOf(step: string): string;
}

export function createStepProgress(pipeline: PipelineModel): StepProgress {
  const states = new Map<string, StepState>(pipeline.order.map((name) => [name, { phase: "waiting", needs: pipeline.steps.get(name)?.needs ?? [] }]));
  const ended = new Set<string>();
  const promoteQueued = (): string[] =>
    [...states].flatMap(([name, state]) => {
      if (state.phase !== "waiting" || !state.needs.every((need) => ended.has(need))) return [];
      state.phase = "queued";
      return [name];
    });

  return {
    onEvent(event) {
      if (event.type === "run-start") return promoteQueued();
      if (!("step" in event)) return [];
      const state = states.get(event.step);
      if (!state) return [];
      switch (event.type) {
        case "step-start":
          state.phase = "running";
          return [event.step];
        case "provider-wait":
          state.phase = "held";
          state.heldBy = event.holder ? `${event.provider} (${event.reason}, up to ${formatDuration(event.waitMs)})` : `${event.provider} (${event.reason}, ${formatDuration(event.waitMs)})`;
          return [event.step];
        // A call starts, or an answer waited for is served (another process's identical call: no attempt-start).
        case "attempt-start":
        case "attempt-end":
          if (state.phase !== "held") return [];
          state.phase = "running";
          delete state.heldBy;
          return [event.step];
        case "items-start":
          state.items = { total: event.count, done: 0, failed: 0, models: new Map() };
          return [event.step];
        case "item-end": {
          if (!state.items) return [];
          state.items.done++;
          if (event.status !== "succeeded") state.items.failed++;
          if (event.provider) {
            const target = `${event.provider}:${event.model}`;
            state.items.models.set(target, (state.items.models.get(target) ?? 0) + 1);
          }
          return [event.step];
        }
        case "step-end":
          state.phase = "ended";
          ended.add(event.step);
          return [event.step, ...promoteQueued()];
        default:
          return [];
      }
    },
    phaseOf(step) {
      return states.get(step)?.phase ?? "waiting";
    },
    titleOf(step) {
      const state = states.get(step);
      if (!state) return step;
      switch (state.phase) {
        case "waiting":
          return `${step}  waiting for ${state.needs.filter((need) => !ended.has(need)).join(", ")}`;
        case "queued":
          return `${step}  queued (every slot is busy)`;
        case "held":
          return `${step}  held: waiting for ${state.heldBy}${itemsText(state)}`;
        case "running":
          return `${step}  running${itemsText(state)}`;
        case "ended":
          return step;
      }
    },
  };
}

/** ` · 4/15 items · 1 failed · mock:small ×3, mock:large ×1` */
function itemsText(state: StepState): string {
  if (!state.items) return "";
  const { total, done, failed, models } = state.items;
  return ` · ${done}/${total} items${failed ? ` · ${failed} failed` : ""}${models.size ? ` · ${modelsSummary([...models].map(([target, items]) => ({ target, items })))}` : ""}`;
}
