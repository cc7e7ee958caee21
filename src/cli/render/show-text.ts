/** `orch show`: a run's steps, or one step's prompt, route, attempts (answers, checks, cost) and output. */
import { formatUsd } from "../../money/format-usd.js";
import type { ChatMessage } from "../../providers/provider.js";
import type { CallView, RunView, StepView, UnitPromptView } from "../../report/call-log/run-view.js";
import type { Style } from "../output.js";
import { formatDuration, formatTokens } from "./summary.js";

const statusMarks: Record<string, string> = { succeeded: "✓", failed: "✗", skipped: "-", cancelled: "-", budget_stopped: "$", deferred: "…", pending: " ", running: "▶" };

export function renderRun(run: RunView, style: Style): string[] {
  const lines = [
    `${style.bold("run")} ${run.id} · ${run.pipeline} · ${run.status} · ${money(run.costUsd, run.synthetic)}${run.durationMs === null ? "" : ` · ${formatDuration(run.durationMs)}`}`,
    `  pipeline  ${run.pipelinePath}`,
    `  started   ${run.startedAt}${run.finishedAt ? ` · finished ${run.finishedAt}` : ""}`,
    style.bold("steps"),
  ];
  const width = Math.max(...run.steps.map((step) => step.name.length), 4);
  for (const step of run.steps) {
    const calls = step.calls.length;
    const parts = [step.status, step.chosen ?? "-", `${calls} call${calls === 1 ? "" : "s"}`, formatUsd(step.costUsd)];
    lines.push(`  ${statusMarks[step.status] ?? "?"} ${step.name.padEnd(width)}  ${parts.join(" · ")}${step.reason && step.status !== "succeeded" ? style.dim(` · ${step.reason}`) : ""}`);
  }
  lines.push(style.dim(`\`orch show ${run.id} STEP\` shows a step's prompt, route, attempts and checks`));
  return lines;
}

export function renderStep(run: RunView, step: StepView, style: Style): string[] {
  const lines = [
    `${style.bold("step")} ${step.name} of run ${run.id} (${run.pipeline}) · ${step.status}${step.chosen ? ` · ${step.chosen}` : ""} · ${formatUsd(step.costUsd)}`,
  ];
  if (step.reason && step.status !== "succeeded") lines.push(`  ${step.status === "failed" ? style.red("reason") : "reason"}  ${step.reason}`);
  for (const unit of step.prompts) lines.push(...promptLines(unit, style));
  if (step.prompts.length === 0) lines.push(`${style.bold("prompt")} not rendered`);
  lines.push(...routeLines(step, style));
  for (const call of step.calls) lines.push(...attemptLines(call, step.prompts.find((unit) => unit.item === call.item), step, style));
  if (step.calls.length === 0) lines.push(`${style.bold("attempts")} none`);
  lines.push(...outputLines(step, style));
  return lines;
}

function promptLines(unit: UnitPromptView, style: Style): string[] {
  const title = `${style.bold("prompt")}${unit.item === null ? "" : ` (item ${unit.item})`}`;
  if (!unit.messages) return [`${title} only its hash is kept (a sensitive step, or log.prompts: hashes): sha256 ${unit.promptSha256 ?? "unknown"}`];
  return [title, ...messageLines(unit.messages, style)];
}

function messageLines(messages: readonly ChatMessage[], style: Style): string[] {
  return messages.flatMap((message) => [`  ${style.cyan(`[${message.role}]`)}`, ...quoted(message.content, "  ")]);
}

function routeLines(step: StepView, style: Style): string[] {
  if (!step.route) return [`${style.bold("route")} none (the step made no routing decision)`];
  const lines = [`${style.bold("route")} ${step.route.matched}${step.route.chosen ? ` · chosen ${step.route.chosen}` : ""}`];
  for (const note of step.route.notes) {
    const target = note.target && note.target !== note.reference ? ` (${note.target})` : "";
    const mark = note.kept ? style.green("✓") : style.red("✗");
    lines.push(`  ${mark} ${note.reference}${target}: ${note.reason}`);
  }
  return lines;
}

function attemptLines(call: CallView, unit: UnitPromptView | undefined, step: StepView, style: Style): string[] {
  const item = call.item === null ? "" : ` (item ${call.item})`;
  const cost = call.status === "cached" ? "cached · $0" : `${formatTokens(call.inputTokens)}→${formatTokens(call.outputTokens)} tokens · ${formatUsd(call.costUsd)}`;
  const outcome = call.rejection ? "rejected" : call.status;
  const lines = [`${style.bold(`attempt ${call.attempt}`)}${item} · ${call.provider}:${call.model} · ${outcome} · ${cost}${call.latencyMs ? ` · ${formatDuration(call.latencyMs)}` : ""}`];
  const added = call.messages && unit?.messages ? addedMessages(unit.messages, call.messages) : undefined;
  if (added && added.length > 0) lines.push(`  sent the prompt plus (repair):`, ...messageLines(added, style).map((line) => `  ${line}`));
  if (call.error) lines.push(`  ${style.red("error")} ${call.error.kind}: ${call.error.message}`);
  if (call.kept === "hashes") lines.push(`  answer: only its hash is kept${call.answerSha256 ? `: sha256 ${call.answerSha256}` : ""}`);
  else if (call.kept === "none") lines.push(style.dim("  answer: not in the call log (recorded before it existed)"));
  else if (call.answer !== undefined) lines.push("  answer", ...quoted(call.answer, "  "));
  if (call.rejection) lines.push(`  ${style.yellow("check")} rejected: ${call.rejection}`);
  else if (call.answer !== undefined && call.answer === step.output) lines.push(`  ${style.green("check")} accepted`);
  if (call.checkerOutput) lines.push("  checker output", ...quoted(call.checkerOutput, "  "));
  return lines;
}

/** The messages a repair attempt sent after the unit's prompt; undefined when it sent something else entirely. */
function addedMessages(base: readonly ChatMessage[], sent: readonly ChatMessage[]): ChatMessage[] | undefined {
  const startsWithBase = sent.length >= base.length && base.every((message, index) => message.role === sent[index]!.role && message.content === sent[index]!.content);
  return startsWithBase ? sent.slice(base.length) : undefined;
}

function outputLines(step: StepView, style: Style): string[] {
  const lines: string[] = [];
  if (step.outputFile) lines.push(`${style.bold("output file")} ${step.outputFile.split("\n").join(", ")}`);
  if (step.output === null) return lines;
  const fromAttempt = step.calls.find((call) => call.answer === step.output);
  if (fromAttempt) lines.push(`${style.bold("output")} the answer of attempt ${fromAttempt.attempt}`);
  else lines.push(style.bold("output"), ...quoted(step.output, ""));
  return lines;
}

function quoted(text: string, indent: string): string[] {
  return text.split("\n").map((line) => `${indent}│ ${line}`);
}

function money(usd: number, synthetic: boolean): string {
  return `${formatUsd(usd)}${synthetic ? " (mock)" : ""}`;
}
