/**
 * `orch run` as a list of named passes: open the run → check providers → schedule the steps →
 * close the run (totals, result folder, exit code). The pipeline and policy arrive validated.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { calendarKeys } from "../budget/calendar.js";
import { createLedger, ledgerSettingsOf } from "../budget/index.js";
import type { LoadedPolicy } from "../config/load-config.js";
import { exitCodes } from "../errors/orch-error.js";
import type { PipelineModel } from "../pipeline/model.js";
import { defaultConcurrency } from "../pipeline/model.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import type { ProviderState } from "../policy/decision.js";
import type { OrchStore } from "../store/index.js";
import { pointLatestAt, runResultsDirectory, writeRunSummary } from "../store/results-folder.js";
import type { RunStatus, StepStatus } from "../store/run-repository.js";
import type { RunEvent, RunTotals } from "./events.js";
import { createPriceLookup } from "./prices.js";
import type { ProviderLookup, RunContext } from "./run-context.js";
import { runSchedule, type FinalStepStatus } from "./scheduler.js";
import { runStep } from "./step-runner.js";
import { providerStatesOf } from "./provider-states.js";
import { createProviderHealth } from "./provider-health.js";

/** Best-value choices look at the last 30 days of calls. */
const historyWindowMs = 30 * 24 * 60 * 60_000;

export interface ProviderSet extends ProviderLookup {
  all(): { id: string; type: string; local: boolean; pricing: ProviderState["pricing"]; available(): Promise<{ available: boolean; reason?: string }> }[];
}

export interface RunOptions {
  pipeline: PipelineModel;
  policy: LoadedPolicy;
  inputs: InputValues;
  store: OrchStore;
  providers: ProviderSet;
  /** Where result folders go (`.orch/results` under the working directory by default). */
  resultsRoot: string;
  concurrency?: number;
  failFast?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
  runId?: string;
  /** Secret values to scrub from anything stored or shown. */
  secrets?: readonly string[];
}

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  exitCode: number;
  totals: RunTotals;
  resultsDirectory: string;
  steps: Map<string, FinalStepStatus>;
}

export async function runPipeline(options: RunOptions): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const runId = options.runId ?? newRunId(started);
  const { pipeline, store } = options;
  const resultsDirectory = runResultsDirectory(options.resultsRoot, runId, calendarKeys(started).day);
  const signal = options.signal ?? new AbortController().signal;
  const events: RunEvent[] = [];
  const emit = (event: RunEvent) => {
    if (event.type === "step-end" || event.type === "attempt-end") events.push(event);
    options.onEvent?.(event);
  };

  const stepExecutionIds = store.runs.createRun(
    {
      id: runId,
      pipelineName: pipeline.name,
      pipelinePath: pipeline.absolutePath,
      policyPath: options.policy.absolutePath,
      inputs: options.inputs,
      startedAt: started.toISOString(),
      resultsDirectory,
      processId: process.pid,
    },
    pipeline.order,
  );
  const providerStates = await providerStatesOf(options.providers);
  const syntheticProviders = options.providers
    .all()
    .filter((provider) => provider.type === "mock" || provider.type === "replay")
    .map((provider) => provider.id);
  emit({ type: "run-start", runId, pipeline: pipeline.name, steps: [...pipeline.order], resultsDirectory, syntheticProviders, at: started.toISOString() });

  const settings = ledgerSettingsOf(options.policy.policy.budget);
  const ledger = createLedger({
    repository: store.ledger,
    runId,
    pipelineName: pipeline.name,
    ...settings,
    now,
    onAlert: (alert) => emit({ type: "budget-alert", ...alert }),
  });
  // Reservations left open by a crashed run are closed (still counted at their worst case) first.
  ledger.reconcile();
  const historySince = new Date(started.getTime() - historyWindowMs).toISOString();
  const context: RunContext = {
    runId,
    pipeline,
    policy: options.policy.policy,
    inputs: options.inputs,
    outputs: new Map<string, UpstreamOutput>(),
    stepExecutionIds,
    providers: options.providers,
    providerStates,
    pricesFor: createPriceLookup(options.policy.policy),
    ledger,
    health: createProviderHealth(store.history, started.getTime()),
    history: store.history.modelHistory(historySince),
    runs: store.runs,
    resultsDirectory,
    signal,
    now,
    emit,
    redact: createRedactor(options.secrets ?? []),
  };

  const final = await runSchedule({
    order: pipeline.order,
    needsOf: (step) => pipeline.steps.get(step)!.needs,
    concurrency: options.concurrency ?? pipeline.concurrency ?? defaultConcurrency,
    failFast: options.failFast ?? false,
    signal,
    run: (step) =>
      runStep(context, pipeline.steps.get(step)!).catch((error: unknown) => {
        // A bug or an I/O failure of ours, not the model's: the step still ends, recorded and visible.
        const at = now().toISOString();
        const reason = `internal error: ${context.redact(error instanceof Error ? error.message : String(error))}`;
        store.runs.finishStep(stepExecutionIds.get(step)!, { status: "failed", finishedAt: at, errorKind: "internal", errorMessage: reason, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
        emit({ type: "step-end", step, status: "failed", synthetic: false, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, attempts: 0, reason, at });
        return "failed" as const;
      }),
    notRun: (step, status, reason) => {
      const at = now().toISOString();
      store.runs.finishStep(stepExecutionIds.get(step)!, { status, finishedAt: at, skipReason: reason, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      emit({ type: "step-end", step, status, synthetic: false, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, attempts: 0, reason, at });
    },
  });

  const { status, exitCode } = runStatusOf(final, signal.aborted);
  const totals = totalsOf(final, events);
  const finished = now();
  await writeRunSummary(resultsDirectory, {
    runId,
    pipeline: pipeline.name,
    pipelineFile: pipeline.absolutePath,
    policyFile: options.policy.absolutePath,
    status,
    exitCode,
    inputs: options.inputs,
    steps: Object.fromEntries(final),
    totals,
    syntheticProviders,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
  });
  await pointLatestAt(options.resultsRoot, resultsDirectory);
  store.runs.finishRun(runId, status, finished.toISOString(), exitCode);
  const durationMs = finished.getTime() - started.getTime();
  emit({ type: "run-end", runId, status, exitCode, totals, resultsDirectory, durationMs, at: finished.toISOString() });
  return { runId, status, exitCode, totals, resultsDirectory, steps: final };
}

/** Sortable by time, unique enough across processes: 20261122-143005-9f3a1c. */
export function newRunId(date: Date): string {
  const stamp = date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Precedence: an interruption, then a failed step (1), then budget or deferral (3), else success. */
function runStatusOf(final: ReadonlyMap<string, FinalStepStatus>, interrupted: boolean): { status: RunStatus; exitCode: number } {
  const statuses = new Set(final.values());
  if (interrupted) return { status: "interrupted", exitCode: exitCodes.interrupted };
  if (statuses.has("failed")) return { status: "failed", exitCode: exitCodes.stepFailed };
  if (statuses.has("budget_stopped")) return { status: "budget_stopped", exitCode: exitCodes.stoppedByBudget };
  if (statuses.has("deferred")) return { status: "deferred", exitCode: exitCodes.stoppedByBudget };
  if (statuses.has("cancelled")) return { status: "failed", exitCode: exitCodes.stepFailed };
  return { status: "succeeded", exitCode: exitCodes.success };
}

function totalsOf(final: ReadonlyMap<string, FinalStepStatus>, events: readonly RunEvent[]): RunTotals {
  const steps = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, budget_stopped: 0, deferred: 0, cancelled: 0 } satisfies Record<StepStatus, number>;
  for (const status of final.values()) steps[status]++;
  const totals: RunTotals = { steps, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const event of events) {
    if (event.type !== "attempt-end") continue;
    totals.calls++;
    totals.inputTokens += event.usage.inputTokens;
    totals.outputTokens += event.usage.outputTokens;
    totals.costUsd += event.costUsd;
  }
  return totals;
}

function createRedactor(secrets: readonly string[]): (text: string) => string {
  const meaningful = secrets.filter((secret) => secret.length >= 8);
  if (meaningful.length === 0) return (text) => text;
  return (text) => meaningful.reduce((result, secret) => result.split(secret).join("[redacted]"), text);
}

export function defaultResultsRoot(workingDirectory: string = process.cwd()): string {
  return path.join(workingDirectory, ".orch", "results");
}
