/**
 * Watch mode's one line per rerun. It must never read as all-clear when something failed: steps
 * rerun and cached, then every step that failed (or was skipped or stopped because of it), and the
 * answers the step's checks rejected with the check's own verdict (`validate node check.js: exit 1`).
 */
import type { RunEvent } from "../../executor/events.js";
import { formatUsd } from "../../money/format-usd.js";
import type { Style } from "../output.js";

export interface RerunTally {
  ran: number;
  cached: number;
  /** Steps that did not succeed, by status, in the order they ended. */
  notSucceeded: { step: string; status: string }[];
  /** Answers the checks (schema, validators, format) rejected: the step and the verdict. */
  rejections: { step: string; reason: string }[];
}

export function emptyRerunTally(): RerunTally {
  return { ran: 0, cached: 0, notSucceeded: [], rejections: [] };
}

export function countRerunEvent(tally: RerunTally, event: RunEvent): void {
  if (event.type === "answer-rejected") tally.rejections.push({ step: event.step, reason: event.reason });
  if (event.type !== "step-end") return;
  if (event.status === "succeeded") tally[event.cached ? "cached" : "ran"]++;
  else tally.notSucceeded.push({ step: event.step, status: event.status });
}

export function rerunLine(runId: string, tally: RerunTally, costs: { rerunUsd: number; todayUsd: number }, style: Style): string {
  const parts = [`${tally.ran} step${tally.ran === 1 ? "" : "s"} rerun, ${tally.cached} cached`];
  const byStatus = new Map<string, string[]>();
  for (const { step, status } of tally.notSucceeded) byStatus.set(status, [...(byStatus.get(status) ?? []), step]);
  for (const [status, steps] of byStatus) parts.push(style.red(`${steps.length} ${status.replace("_", " ")} (${steps.join(", ")})`));
  const summary = parts.join(", ");
  const checks = tally.rejections.length === 0 ? "" : ` · ${style.yellow(`checks rejected ${tally.rejections.length} answer${tally.rejections.length === 1 ? "" : "s"}: ${distinct(tally.rejections).join("; ")}`)}`;
  return style.bold(`rerun ${runId}: ${summary}${checks} · this rerun ${formatUsd(costs.rerunUsd)} · today ${formatUsd(costs.todayUsd)}`);
}

/** `b: validate node check.js: exit 1 (×2)`: the same verdict on the same step said once. */
function distinct(rejections: RerunTally["rejections"]): string[] {
  const counts = new Map<string, number>();
  for (const { step, reason } of rejections) counts.set(`${step}: ${reason}`, (counts.get(`${step}: ${reason}`) ?? 0) + 1);
  return [...counts].map(([text, count]) => (count === 1 ? text : `${text} (×${count})`));
}
