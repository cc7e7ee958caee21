/**
 * The interactive view: one listr2 task per step, redrawn in place. The executor does not know
 * listr2 exists; each task simply waits for its step's events.
 */
import { Listr } from "listr2";
import { formatUsd } from "../../money/format-usd.js";
import type { RunEvent } from "../../executor/events.js";
import type { PipelineModel } from "../../pipeline/model.js";
import type { CliOutput } from "../output.js";
import type { RunRenderer } from "./choose-renderer.js";
import { createStepProgress } from "./step-progress.js";
import { formatDuration, offlineNotice, overrunLine, stepDetail, summaryLines, usageMissingLine } from "./summary.js";

type StepEnd = Extract<RunEvent, { type: "step-end" }>;

/** The part of a listr2 task wrapper this view uses. */
interface TaskHandle {
  title: string | undefined;
  output: string | undefined;
  skip(message: string): void;
}

interface StepView {
  ended: Promise<StepEnd>;
  end(event: StepEnd): void;
  task?: TaskHandle;
  /** The last progress line, kept until listr2 has started the step's task (events can come first). */
  note?: string;
}

export function createListrRenderer(output: CliOutput, databaseFile: string, pipeline: PipelineModel): RunRenderer {
  const views = new Map<string, StepView>();
  for (const step of pipeline.order) {
    let end!: (event: StepEnd) => void;
    const ended = new Promise<StepEnd>((resolve) => (end = resolve));
    views.set(step, { ended, end });
  }
  let listrDone: Promise<unknown> | undefined;
  // Waiting, queued, held by a rate limit and running read differently in the title; for_each progress too.
  const progress = createStepProgress(pipeline);
  const retitle = (steps: readonly string[]) => {
    for (const step of steps) {
      const task = views.get(step)?.task;
      if (task && progress.phaseOf(step) !== "ended") task.title = progress.titleOf(step);
    }
  };
  const note = (step: string, text: string) => {
    const view = views.get(step);
    if (!view) return;
    view.note = text;
    if (view.task) view.task.output = text;
  };
  const pendingLines: string[] = [];

  const start = () => {
    const listr = new Listr(
      pipeline.order.map((step) => ({
        title: step,
        task: async (_context, task) => {
          const view = views.get(step)!;
          view.task = task;
          task.title = progress.titleOf(step);
          if (view.note !== undefined) task.output = view.note;
          const event = await view.ended;
          if (event.status === "succeeded") {
            task.title = `${step}  ${event.cached || event.reused ? "≡ " : ""}${stepDetail(event)}`;
            return;
          }
          // Ctrl-C: the step was stopped, it did not fail.
          if (event.status === "cancelled") {
            task.skip(`${step}  interrupted`);
            return;
          }
          if (event.status === "skipped" || event.status === "deferred" || event.status === "budget_stopped") {
            task.skip(`${step}  ${event.status.replace("_", " ")}: ${event.reason ?? ""}`);
            return;
          }
          throw new Error(`${step}  failed: ${event.reason ?? "unknown error"}${event.models?.length ? ` · ${stepDetail(event)}` : ""}`);
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        // Ctrl-C belongs to `orch run` (abort, record, print the resume line, exit 130). listr2's own
        // listener would mark every task failed and exit 127, or throw when no frame was drawn yet.
        registerSignalListeners: false,
        renderer: "default",
        rendererOptions: { collapseErrors: false, collapseSkips: false },
      },
    );
    listrDone = listr.run().catch(() => undefined);
  };

  return {
    onEvent(event) {
      retitle(progress.onEvent(event));
      switch (event.type) {
        case "run-start": {
          output.out(`${output.style.bold("orch run")} ${event.pipeline} · run ${event.runId} · ${event.steps.length} steps`);
          const notice = offlineNotice(event.syntheticProviders);
          if (notice) output.out(output.style.yellow(notice));
          start();
          return;
        }
        case "attempt-start": {
          note(event.step, `→ ${event.provider}:${event.model} (reserved ${formatUsd(event.reservedUsd)})`);
          return;
        }
        case "provider-wait": {
          note(event.step, event.holder ? `waiting up to ${formatDuration(event.waitMs)} for ${event.provider}: ${event.reason} (${event.holder})` : `waiting ${formatDuration(event.waitMs)} for ${event.provider} (${event.reason})`);
          return;
        }
        case "answer-rejected": {
          const lastLine = (event.checkerOutput ?? "").trim().split("\n").at(-1);
          note(event.step, `rejected ${event.provider}:${event.model}: ${event.reason}${lastLine ? ` — ${lastLine}` : ""}`);
          return;
        }
        case "candidate-skipped": {
          note(event.step, `passed over ${event.reference}: ${event.reason}`);
          return;
        }
        case "budget-alert":
          pendingLines.push(output.style.yellow(`! budget: ${Math.round(event.fraction * 100)}% of the ${event.scope} limit used`));
          return;
        case "budget-overrun":
          pendingLines.push(output.style.red(overrunLine(event)));
          return;
        case "usage-missing":
          pendingLines.push(output.style.yellow(usageMissingLine(event)));
          return;
        case "step-end":
          views.get(event.step)?.end(event);
          return;
        case "run-end":
          pendingLines.push(...summaryLines(event, output.style, databaseFile));
          return;
        default:
          return;
      }
    },
    onInterrupt() {
      pendingLines.unshift(output.style.yellow("interrupted: scheduling stopped, calls in flight aborted"));
    },
    async finish() {
      await listrDone;
      for (const line of pendingLines) output.out(line);
    },
  };
}
