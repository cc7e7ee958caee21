/** `orch route` without --explain: the route in a line, its cost and the money left in another. */
import type { BudgetScope, Candidate } from "../../policy/decision.js";
import { formatBalance, formatUsd, scopeWords } from "../../policy/format.js";
import { droppedBecause } from "../../policy/explain.js";
import type { RouteOutcome } from "../../workspace/route-request.js";
import type { Style } from "../output.js";

export function renderRoute(outcome: RouteOutcome, style: Style): string[] {
  const { decision } = outcome;
  const first = decision.candidates[0];
  const via = decision.matched === "pinned" ? "pinned by --model" : decision.matched.startsWith("tier:") ? `no rule matched, ${decision.matched}` : `rule "${decision.matched}"`;
  const dropped = decision.notes.filter((note) => !note.kept).length;
  const droppedText = dropped ? style.dim(` · ${dropped} dropped (--explain says why)`) : "";
  const lines: string[] = [];
  if (!first) {
    lines.push(`${style.bold("route")} ${style.red("none")} · ${via}${droppedText}`);
    if (decision.exhausted) lines.push(style.yellow(`      ${decision.exhausted.action}: ${decision.exhausted.reason}`));
  } else {
    const then = decision.candidates.slice(1).map((candidate) => candidate.reference);
    lines.push(`${style.bold("route")} ${style.green(labelOf(first))} · ${via}${then.length ? ` · then ${then.join(", ")}` : ""}${droppedText}`);
    if (decision.exhausted) lines.push(style.yellow(`      local fallback: ${decision.exhausted.reason}`));
  }
  // A cool-down comes from earlier failures, maybe of another process: worth saying without --explain.
  for (const note of decision.notes.filter((candidate) => candidate.check === "cooling-down")) lines.push(style.yellow(`      passed over ${note.reference}: ${droppedBecause(note)}`));
  lines.push(`      ${first ? `${costOf(first)} · ` : ""}${budgetLeftOf(outcome.budgetLeftUsd)}${decision.emergency ? style.yellow(" · emergency mode: free providers only") : ""}`);
  return lines;
}

function labelOf(candidate: Candidate): string {
  const target = `${candidate.provider}:${candidate.model}`;
  return candidate.reference === target ? target : `${candidate.reference} (${target})`;
}

function costOf(candidate: Candidate): string {
  if (candidate.pricing !== "metered") return `free (${candidate.pricing})`;
  const { min, max } = candidate.estimatedCostUsd;
  return `${formatUsd(min)} – ${formatUsd(max)} a call`;
}

function budgetLeftOf(left: Partial<Record<BudgetScope, number>>): string {
  const parts = (["run", "day", "month"] as const).flatMap((scope) => (left[scope] === undefined ? [] : [`${formatBalance(left[scope])} left ${scopeWords(scope)}`]));
  return parts.length ? parts.join(", ") : "no budget limit";
}
