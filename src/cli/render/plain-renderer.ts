/** One line per event that matters: for CI logs and pipes, where a redrawn screen would be noise. */
import { formatLimit, formatUsd } from "../../money/format-usd.js";
import type { RunEvent } from "../../executor/events.js";
import type { CliOutput } from "../output.js";
import type { RunRenderer } from "./choose-renderer.js";
import { colourFor, endSymbol, formatDuration, offlineNotice, overrunLine, statusSymbols, stepDetail, summaryLines, usageMissingLine } from "./summary.js";

/** How many of the checker's last lines a rejection shows in the log. */
const checkerLinesShown = 12;

export function createPlainRenderer(output: CliOutput, databaseFile: string): RunRenderer {
  const { style } = output;
  const width = { step: 12 };
  /** For_each progress per step: items done and failed so far. */
  const items = new Map<string, { total: number; done: number; failed: number }>();
  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case "run-start": {
          width.step = Math.max(...event.steps.map((step) => step.length), 4);
          output.out(`${style.bold("orch run")} ${event.pipeline} · run ${event.runId} · ${event.steps.length} steps`);
          const notice = offlineNotice(event.syntheticProviders);
          if (notice) output.out(style.yellow(notice));
          return;
        }
        case "attempt-start":
          output.out(`${style.dim("▶")} ${event.step.padEnd(width.step)} → ${event.provider}:${event.model}${itemLabel(event.item)} (reserved ${formatUsd(event.reservedUsd)})`);
          return;
        case "attempt-end":
          if (event.cached) output.out(`${style.cyan("≡")} ${event.step.padEnd(width.step)} cached answer of ${event.provider}:${event.model}${itemLabel(event.item)} (saved ${formatUsd(event.savedUsd ?? 0)})`);
          return;
        case "answer-rejected":
          output.out(`${style.yellow("✗")} ${event.step.padEnd(width.step)} rejected ${event.provider}:${event.model}${itemLabel(event.item)}: ${event.reason}`);
          // The checker's last lines say why; the whole tail is in the step's JSON and on the call's row.
          for (const line of (event.checkerOutput ?? "").split("\n").slice(-checkerLinesShown)) if (line.trim() !== "") output.out(style.dim(`    │ ${line}`));
          return;
        case "candidate-skipped":
          output.out(`${style.yellow("↪")} ${event.step.padEnd(width.step)} passed over ${event.reference}: ${event.reason}`);
          return;
        case "provider-wait":
          output.out(
            event.holder
              ? `${style.dim("…")} ${event.step.padEnd(width.step)} waiting up to ${formatDuration(event.waitMs)} for ${event.provider}: ${event.reason} (${event.holder})`
              : `${style.dim("…")} ${event.step.padEnd(width.step)} waiting ${formatDuration(event.waitMs)} for ${event.provider} (${event.reason})`,
          );
          return;
        case "batch": output.out(`${style.dim("⧗")} ${event.step.padEnd(width.step)} batch ${event.phase}${itemLabel(event.item)} on ${event.provider}: ${event.detail}`); return;
        case "budget-alert":
          output.out(style.yellow(`! budget: ${Math.round(event.fraction * 100)}% of the ${event.scope} limit used (${formatUsd(event.usedUsd)} of ${formatLimit(event.limitUsd)})`));
          return;
        case "budget-overrun":
          output.out(style.red(overrunLine(event)));
          return;
        case "usage-missing":
          output.out(style.yellow(usageMissingLine(event, width.step)));
          return;
        case "items-start":
          items.set(event.step, { total: event.count, done: 0, failed: 0 });
          output.out(`${style.dim("▤")} ${event.step.padEnd(width.step)} ${event.count} item${event.count === 1 ? "" : "s"}`);
          return;
        case "item-end": {
          const progress = items.get(event.step) ?? { total: 0, done: 0, failed: 0 };
          progress.done++;
          if (event.status !== "succeeded") progress.failed++;
          items.set(event.step, progress);
          const answered = event.provider ? ` ${event.provider}:${event.model}${event.cached ? " (cached)" : ""}` : ` ${event.status.replace("_", " ")}`;
          const failed = progress.failed ? `, ${progress.failed} failed` : "";
          output.out(`  ${colourFor(style, event.status)(statusSymbols[event.status])} ${event.step.padEnd(width.step)}${itemLabel(event.item)}${answered} · ${progress.done}/${progress.total} done${failed}`);
          return;
        }
        case "step-end": {
          const colour = colourFor(style, event.status);
          const detail = event.status === "succeeded" ? stepDetail(event) : `${event.status.replace("_", " ")}: ${event.reason ?? ""}${event.models?.length ? ` · ${stepDetail(event)}` : ""}`;
          output.out(`${colour(endSymbol(event))} ${event.step.padEnd(width.step)} ${detail}`);
          return;
        }
        case "run-end":
          for (const line of summaryLines(event, style, databaseFile)) output.out(line);
          return;
        default:
          return;
      }
    },
    onInterrupt() {
      output.err(style.yellow("interrupted: stopping scheduling and aborting calls in flight (Ctrl-C again to force)"));
    },
    async finish() {},
  };
}

function itemLabel(item: number | undefined): string {
  return item === undefined ? "" : ` [item ${item}]`;
}
