/**
 * The Markdown job summary of a run for GitHub Actions (`GITHUB_STEP_SUMMARY`): steps with their
 * models and cost, the totals, the budget left, overruns, and where the results are. It reads
 * the run's event stream like every renderer, plus the budget status the command reads after the run.
 */
import { appendFileSync } from "node:fs";
import path from "node:path";
import { ledgerSettingsOf } from "../../budget/limits.js";
import { budgetStatus, type ScopeStatus } from "../../budget/status.js";
import type { Budget } from "../../generated/routing-policy.js";
import type { LedgerStore } from "../../contracts/ledger-store.js";
import type { RunEvent } from "../../executor/events.js";
import { formatBalance, formatLimit, formatUsd } from "../../money/format-usd.js";
import { formatDuration, formatTokens, itemProblems, modelsSummary, runCostUsd } from "./summary.js";

type StepEnd = Extract<RunEvent, { type: "step-end" }>;
type RunEnd = Extract<RunEvent, { type: "run-end" }>;

export interface JobSummaryCollector {
  onEvent(event: RunEvent): void;
  readonly pipeline: string | undefined;
  readonly steps: StepEnd[];
  readonly runEnd: RunEnd | undefined;
}

export function collectJobSummary(): JobSummaryCollector {
  const collected: { pipeline: string | undefined; steps: StepEnd[]; runEnd: RunEnd | undefined } = { pipeline: undefined, steps: [], runEnd: undefined };
  return {
    onEvent(event) {
      if (event.type === "run-start") collected.pipeline = event.pipeline;
      else if (event.type === "step-end") collected.steps.push(event);
      else if (event.type === "run-end") collected.runEnd = event;
    },
    get pipeline() {
      return collected.pipeline;
    },
    get steps() {
      return collected.steps;
    },
    get runEnd() {
      return collected.runEnd;
    },
  };
}

const statusMarks: Record<StepEnd["status"], string> = {
  pending: "·",
  running: "▶",
  succeeded: "✅",
  failed: "❌",
  skipped: "⏭️",
  budget_stopped: "💸",
  deferred: "⏸️",
  cancelled: "⏹️",
};

export interface JobSummaryContext {
  /** Budget scopes after the run; only those with a limit are shown. */
  budget: readonly ScopeStatus[];
  env: NodeJS.ProcessEnv;
  workingDirectory?: string;
}

export function renderJobSummary(collected: JobSummaryCollector, context: JobSummaryContext): string {
  const end = collected.runEnd;
  if (!end) return "";
  const totals = end.totals;
  const lines = [
    `### orch run ${inlineCode(collected.pipeline ?? "pipeline")}: ${end.status.replace("_", " ")} (exit ${end.exitCode})`,
    "",
    `Run ${inlineCode(end.runId)} · ${formatDuration(end.durationMs)} · ${totals.calls} call${totals.calls === 1 ? "" : "s"} · ` +
      `${formatTokens(totals.inputTokens)} → ${formatTokens(totals.outputTokens)} tokens · cost **${formatUsd(totals.costUsd)}**` +
      (totals.cacheHits > 0 ? ` · ${totals.cacheHits} cached (saved ${formatUsd(totals.savedUsd)})` : "") +
      (totals.earlier ? ` · resumed: earlier processes paid ${formatUsd(totals.earlier.costUsd)} for ${totals.earlier.calls} call${totals.earlier.calls === 1 ? "" : "s"}, run total **${formatUsd(runCostUsd(totals))}**` : ""),
    "",
    "| step | status | models | cost | items |",
    "|---|---|---|---:|---|",
    ...collected.steps.map(stepRow),
    "",
  ];
  const limited = context.budget.filter((scope) => scope.limitUsd !== undefined);
  if (limited.length > 0) {
    lines.push("**Budget left**", "", "| scope | limit | spent | left |", "|---|---:|---:|---:|");
    for (const scope of limited) {
      const name = scope.subject ? `${scope.scope} (${scope.subject.kind} ${scope.subject.name})` : scope.scope;
      lines.push(`| ${escapeCell(name)} ${escapeCell(scope.period)} | ${formatLimit(scope.limitUsd!)} | ${formatUsd(scope.spentUsd)} | ${formatBalance(scope.leftUsd ?? 0)} |`);
    }
    lines.push("");
  } else {
    lines.push("**Budget left**: the policy sets no limit.", "");
  }
  lines.push(
    totals.overruns > 0
      ? `**Overruns**: ${totals.overruns} call${totals.overruns === 1 ? "" : "s"} cost ${formatUsd(totals.overrunUsd)} more than reserved (recorded in the ledger; exit 3).`
      : "**Overruns**: none.",
  );
  const results = path.relative(context.workingDirectory ?? process.cwd(), end.resultsDirectory) || end.resultsDirectory;
  const runLink = workflowRunLink(context.env);
  lines.push("", `**Results**: ${inlineCode(`${results}/`)} (run.json and one file per step)${runLink ? ` · [workflow run](${runLink})` : ""}`, "");
  return lines.join("\n");
}

/** Appends, as the runner expects: several orch runs in one job each add their section. */
export function writeJobSummary(file: string, markdown: string): void {
  if (markdown !== "") appendFileSync(file, `${markdown}\n`);
}

function stepRow(step: StepEnd): string {
  const models = step.models?.length ? modelsSummary(step.models) : step.provider ? `${step.provider}:${step.model}` : "—";
  const cost = step.reused ? `reused · ${formatUsd(step.costUsd)}` : step.cached && step.costUsd === 0 ? "cached · $0" : formatUsd(step.costUsd);
  const items = step.items === undefined ? "" : `${step.items}${itemProblems(step)}`;
  const status = `${statusMarks[step.status]} ${step.status.replace("_", " ")}${step.reason && step.status !== "succeeded" ? `: ${step.reason}` : ""}`;
  return `| ${escapeCell(step.step)} | ${escapeCell(status)} | ${escapeCell(models)}${step.synthetic ? " (mock)" : ""} | ${cost} | ${items} |`;
}

function workflowRunLink(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function inlineCode(text: string): string {
  return `\`${text.replaceAll("`", "'")}\``;
}

/** The budget scopes of the run's policy as they stand after the run: what the summary's "Budget left" shows. */
export async function budgetAfterRun(ledger: LedgerStore, budget: Budget | undefined, runId: string): Promise<ScopeStatus[]> {
  const settings = ledgerSettingsOf(budget);
  return (await budgetStatus(ledger, settings.limits, settings.timeZone, new Date(), { runId })).scopes;
}
