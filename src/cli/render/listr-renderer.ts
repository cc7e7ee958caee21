/**
 * The interactive view: one listr2 task per step, redrawn in place. The executor does not know
 * listr2 exists; each task simply waits for its step's events.
 */
import { Listr } from "listr2";
import { formatUsd } from "../../budget/ledger.js";
import type { RunEvent } from "../../executor/events.js";
import type { PipelineModel } from "../../pipeline/model.js";
import type { CliOutput } from "../output.js";
import type { RunRenderer } from "./choose-renderer.js";
import { formatDuration, offlineNotice, overrunLine, stepDetail, summaryLines } from "./summary.js";

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
}

export function createListrRenderer(output: CliOutput, databaseFile: string, pipeline: PipelineModel): RunRenderer {
  const views = new Map<string, StepView>();
  for (const step of pipeline.order) {
    let end!: (event: StepEnd) => void;
    const ended = new Promise<StepEnd>((resolve) => (end = resolve));
    views.set(step, { ended, end });
  }
  let listrDone: Promise<unknown> | undefined;
  const pendingLines: string[] = [];

  const start = () => {
    const listr = new Listr(
      pipeline.order.map((step) => ({
        title: step,
        task: async (_context, task) => {
          const view = views.get(step)!;
          view.task = task;
          const event = await view.ended;
          if (event.status === "succeeded") {
            task.title = `${step}  ${stepDetail(event)}`;
            return;
          }
          if (event.status === "skipped" || event.status === "cancelled" || event.status === "deferred" || event.status === "budget_stopped") {
            task.skip(`${step}  ${event.status.replace("_", " ")}: ${event.reason ?? ""}`);
            return;
          }
          throw new Error(`${step}  failed: ${event.reason ?? "unknown error"}`);
        },
      })),
      { concurrent: true, exitOnError: false, renderer: "default", rendererOptions: { collapseErrors: false, collapseSkips: false } },
    );
    listrDone = listr.run().catch(() => undefined);
  };

  return {
    onEvent(event) {
      switch (event.type) {
        case "run-start": {
          output.out(`${output.style.bold("orch run")} ${event.pipeline} · run ${event.runId} · ${event.steps.length} steps`);
          const notice = offlineNotice(event.syntheticProviders);
          if (notice) output.out(output.style.yellow(notice));
          start();
          return;
        }
        case "attempt-start": {
          const task = views.get(event.step)?.task;
          if (task) task.output = `→ ${event.provider}:${event.model} (reserved $${formatUsd(event.reservedUsd)})`;
          return;
        }
        case "provider-wait": {
          const task = views.get(event.step)?.task;
          if (task) task.output = `waiting ${formatDuration(event.waitMs)} for ${event.provider} (${event.reason})`;
          return;
        }
        case "answer-rejected": {
          const task = views.get(event.step)?.task;
          if (task) task.output = `rejected ${event.provider}:${event.model}: ${event.reason}`;
          return;
        }
        case "candidate-skipped": {
          const task = views.get(event.step)?.task;
          if (task) task.output = `passed over ${event.reference}: ${event.reason}`;
          return;
        }
        case "budget-alert":
          pendingLines.push(output.style.yellow(`! budget: ${Math.round(event.fraction * 100)}% of the ${event.scope} limit used`));
          return;
        case "budget-overrun":
          pendingLines.push(output.style.red(overrunLine(event)));
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
