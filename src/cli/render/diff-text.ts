/**
 * `orch diff` as text (a terminal, a log) and as Markdown (a pull-request comment): a summary,
 * then for every step that changed its model and why, route changes, prompt and output as unified
 * diffs, checks and cost. Unchanged steps get one line.
 */
import { formatUsd } from "../../money/format-usd.js";
import { nanoToUsd, usdToNano } from "../../money/nano.js";
import { unifiedDiff } from "../../report/call-log/line-diff.js";
import type { RunDiff, StepDiff } from "../../report/call-log/run-diff.js";
import type { Style } from "../output.js";

const marks = { changed: "~", same: "=", onlyA: "-", onlyB: "+" } as const;

export function renderDiffText(diff: RunDiff, style: Style): string[] {
  const lines = [
    `${style.bold("diff")} ${diff.a.id} → ${diff.b.id} (${pipelines(diff)})`,
    `  a  ${diff.a.id} · ${diff.a.status} · ${formatUsd(diff.a.costUsd)} · started ${diff.a.startedAt}`,
    `  b  ${diff.b.id} · ${diff.b.status} · ${formatUsd(diff.b.costUsd)} · started ${diff.b.startedAt}`,
    `  cost ${costChange(diff.a.costUsd, diff.b.costUsd)} · ${changedCount(diff)}`,
  ];
  for (const step of diff.steps) {
    lines.push("");
    if (step.changes.length === 0) {
      lines.push(`${marks.same} ${step.step}  unchanged · ${step.model.b ?? "no model"} · ${formatUsd(step.costUsd.b)}`);
      continue;
    }
    const mark = step.only === "a" ? marks.onlyA : step.only === "b" ? marks.onlyB : marks.changed;
    lines.push(style.bold(`${mark} ${step.step}  ${onlyText(step) ?? `changed: ${step.changes.join(", ")}`}`));
    if (step.status.a !== step.status.b) lines.push(`  status  ${step.status.a ?? "-"} → ${step.status.b ?? "-"}`);
    lines.push(`  model   ${modelText(step)}`);
    if (routeMoved(step)) lines.push(`  why     a: ${step.why.a ?? "-"}`, `          b: ${step.why.b ?? "-"}`);
    else if (step.why.b) lines.push(`  why     ${step.why.b}`);
    for (const change of step.routeChanges) lines.push(`  route   ${change}`);
    if (step.prompt.changed) lines.push("  prompt", ...indent(promptDiff(diff, step), "    "));
    if (step.output.changed) lines.push("  output", ...indent(unifiedDiff(step.output.a, step.output.b, labels(diff, step, "output")), "    "));
    if (step.checks.changed) lines.push("  checks", ...checkLines(step).map((line) => `    ${line}`));
    lines.push(`  cost    ${costChange(step.costUsd.a, step.costUsd.b)}`);
  }
  return lines;
}

export function renderDiffMarkdown(diff: RunDiff): string[] {
  const lines = [
    `## orch diff: \`${diff.a.id}\` → \`${diff.b.id}\` (${cell(pipelines(diff))})`,
    "",
    "| | run | status | cost | started |",
    "|---|---|---|---|---|",
    `| a | \`${diff.a.id}\` | ${diff.a.status} | ${formatUsd(diff.a.costUsd)} | ${diff.a.startedAt} |`,
    `| b | \`${diff.b.id}\` | ${diff.b.status} | ${formatUsd(diff.b.costUsd)} | ${diff.b.startedAt} |`,
    "",
    `Cost ${costChange(diff.a.costUsd, diff.b.costUsd)} · ${changedCount(diff)}.`,
    "",
    "| step | status | model | cost | changed |",
    "|---|---|---|---|---|",
    ...diff.steps.map(
      (step) =>
        `| \`${step.step}\` | ${cell(arrow(step.status.a, step.status.b))} | ${cell(arrow(step.model.a, step.model.b))} | ${cell(costChange(step.costUsd.a, step.costUsd.b))} | ${step.changes.length ? step.changes.join(", ") : "—"} |`,
    ),
  ];
  for (const step of diff.steps.filter((candidate) => candidate.changes.length > 0)) {
    lines.push("", `### \`${step.step}\``, "");
    const only = onlyText(step);
    if (only) lines.push(`_${only}_`, "");
    lines.push(`**Model:** ${modelText(step)}`, "");
    if (routeMoved(step)) lines.push(`**Why:** a: ${step.why.a ?? "—"}; b: ${step.why.b ?? "—"}`, "");
    else if (step.why.b) lines.push(`**Why:** ${step.why.b}`, "");
    if (step.routeChanges.length) lines.push("**Route changes:**", "", ...step.routeChanges.map((change) => `- ${change}`), "");
    if (step.prompt.changed) lines.push("**Prompt**", "", ...fenced(promptDiff(diff, step), "diff"), "");
    if (step.output.changed) lines.push("**Output**", "", ...fenced(unifiedDiff(step.output.a, step.output.b, labels(diff, step, "output")), "diff"), "");
    if (step.checks.changed) lines.push("**Checks**", "", ...checkLines(step).map((line) => `- ${line}`), "");
    lines.push(`**Cost:** ${costChange(step.costUsd.a, step.costUsd.b)}`);
  }
  return lines;
}

function pipelines(diff: RunDiff): string {
  return diff.a.pipeline === diff.b.pipeline ? diff.a.pipeline : `${diff.a.pipeline} vs ${diff.b.pipeline}`;
}

function changedCount(diff: RunDiff): string {
  const changed = diff.steps.filter((step) => step.changes.length > 0).length;
  return `${changed} of ${diff.steps.length} step${diff.steps.length === 1 ? "" : "s"} changed`;
}

function onlyText(step: StepDiff): string | undefined {
  if (step.only === "a") return "only in run a (the step was removed)";
  if (step.only === "b") return "only in run b (the step was added)";
  return undefined;
}

/** Both runs' reasons are worth reading when the model or the route changed; otherwise only the cost figures in them did. */
function routeMoved(step: StepDiff): boolean {
  return step.model.a !== step.model.b || step.routeChanges.length > 0;
}

function modelText(step: StepDiff): string {
  return arrow(step.model.a, step.model.b);
}

function arrow(a: string | null, b: string | null): string {
  return a === b ? (b ?? "—") : `${a ?? "—"} → ${b ?? "—"}`;
}

function labels(diff: RunDiff, step: StepDiff, what: string): { from: string; to: string } {
  return { from: `a/${step.step} ${what} (${diff.a.id})`, to: `b/${step.step} ${what} (${diff.b.id})` };
}

function promptDiff(diff: RunDiff, step: StepDiff): string[] {
  if (step.prompt.hashesOnly) return ["only hashes are kept (a sensitive step, or log.prompts: hashes): the prompt changed"];
  return unifiedDiff(step.prompt.a, step.prompt.b, labels(diff, step, "prompt"));
}

function checkLines(step: StepDiff): string[] {
  const side = (name: string, checks: readonly string[]) => (checks.length ? checks.map((check) => `${name}: ${check}`) : [`${name}: no answer refused, no call failed`]);
  return [...side("a", step.checks.a), ...side("b", step.checks.b)];
}

/** `$0.0003 → $0.0004 (+$0.0001)`; the same amount once. */
function costChange(a: number, b: number): string {
  if (a === b) return formatUsd(b);
  // In nano-dollars: 0.000179 - 0.000081 is not 0.000098 in binary floating point.
  const delta = nanoToUsd(usdToNano(b) - usdToNano(a));
  return `${formatUsd(a)} → ${formatUsd(b)} (${delta > 0 ? "+" : ""}${formatUsd(delta)})`;
}

function indent(lines: readonly string[], prefix: string): string[] {
  return lines.map((line) => `${prefix}${line}`);
}

/** A code block whose fence is longer than any backtick run inside, so an answer holding ``` cannot close it. */
function fenced(lines: readonly string[], language: string): string[] {
  const longest = Math.max(2, ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${language}`, ...lines, fence];
}

/** Text inside a table cell: a pipe would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
