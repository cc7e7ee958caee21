/**
 * `orch run` as a list of named passes: open the run (or reopen it, with `resume`) → check
 * providers → schedule the steps → close the run (totals, result folder, exit code). The pipeline
 * and policy arrive validated.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { calendarKeys } from "../budget/calendar.js";
import { createLedger, ledgerSettingsOf } from "../budget/index.js";
import type { LoadedPolicy } from "../config/load-config.js";
import { checkTeamCalendar } from "../config/team-budget-checks.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { PipelineModel } from "../pipeline/model.js";
import { defaultConcurrency } from "../pipeline/model.js";
import type { ProviderState } from "../policy/decision.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { RunStatus, StepRow } from "../contracts/run-store.js";
import { createStepResultWriter, pointLatestAt, restoreStepResults, runResultsDirectory, writeRunSummary } from "../store/results-folder.js";
import { createRedactor, redactDeep, secretValuesOf } from "../secrets/redact.js";
import { createAnswerCache } from "./cache.js";
import type { RunEvent, RunTotals } from "./events.js";
import { createRunLearning } from "./learning.js";
import { createPriceLookup } from "./prices.js";
import { createProviderHealth } from "./provider-health.js";
import { providerStatesOf } from "./provider-states.js";
import { reusedOutputs, type ResumePoint } from "./resume.js";
import type { ProviderLookup, RunContext } from "./run-context.js";
import { runStatusOf, totalsOf } from "./run-totals.js";
import { runSchedule, type FinalStepStatus } from "./scheduler.js";
import { runStep } from "./step-runner.js";
import { earlierCallsByStep, earlierRunTotals, type EarlierCalls } from "./earlier-calls.js";


export interface ProviderSet extends ProviderLookup {
  all(): { id: string; type: string; local: boolean; pricing: ProviderState["pricing"]; batch?: unknown; available(): Promise<{ available: boolean; reason?: string }> }[];
}

export interface RunOptions {
  pipeline: PipelineModel;
  policy: LoadedPolicy;
  /** Ignored when resuming: a resumed run keeps the inputs it started with. */
  inputs: InputValues;
  store: OrchStore;
  providers: ProviderSet;
  /** Where result folders go (`.orch/results` under the working directory by default). */
  resultsRoot: string;
  concurrency?: number;
  failFast?: boolean;
  /** False with `--no-cache`: no answer is reused from, or offered to, other runs. */
  reuseCache?: boolean;
  /** Continue this earlier run (see `findRunToResume`). */
  resume?: ResumePoint;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
  runId?: string;
  /** Secret values to scrub from anything stored or shown (secret-looking variables of `env` are added). */
  secrets?: readonly string[];
  /** Where validators take their allowlisted variables and `pass_env` from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
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
  const { pipeline, store, resume } = options;
  const runId = resume?.runId ?? options.runId ?? newRunId(started);
  const inputs = resume?.inputs ?? options.inputs;
  const resultsDirectory = resume?.resultsDirectory ?? runResultsDirectory(options.resultsRoot, runId, calendarKeys(started).day);
  const signal = options.signal ?? new AbortController().signal;
  const environment = options.env ?? process.env;
  const redact = createRedactor([...(options.secrets ?? []), ...secretValuesOf(environment)]);
  const events: RunEvent[] = [];
  // The event boundary: whatever the UI, `--json` and watch mode show has been scrubbed here.
  const emit = (raw: RunEvent) => {
    const event = redactDeep(raw, redact);
    if (event.type === "step-end" || event.type === "attempt-end" || event.type === "budget-overrun") events.push(event);
    options.onEvent?.(event);
  };

  // A team's calendar is the shared database's: a policy disagreeing is refused before the run is recorded.
  await checkTeamCalendar(options.policy, (proposed) => store.ledger.calendarZone(proposed, started.toISOString()));
  const opened = await openRun(options, runId, inputs, resultsDirectory, started);
  // A killed run may have committed a step without writing its file: resume writes what it reuses.
  if (resume) await restoreStepResults(resultsDirectory, opened.reused.map((row) => ({ step: row.step, document: row.result_json })));
  const providerStates = await providerStatesOf(options.providers);
  const syntheticProviders = options.providers
    .all()
    .filter((provider) => provider.type === "mock" || provider.type === "replay")
    .map((provider) => provider.id);
  emit({ type: "run-start", runId, pipeline: pipeline.name, steps: [...pipeline.order], resultsDirectory, syntheticProviders, ...(resume ? { resumed: true as const } : {}), at: started.toISOString() });
  for (const row of opened.reused) emitReused(emit, row, now());

  const settings = ledgerSettingsOf(options.policy.policy.budget);
  const ledger = await createLedger({
    store: store.ledger,
    runId,
    pipelineName: pipeline.name,
    ...settings,
    now,
    onAlert: (alert) => emit({ type: "budget-alert", ...alert }),
    onOverrun: (overrun) => emit({ type: "budget-overrun", ...overrun }),
  });
  // Reservations left open by a crashed run (a killed run being resumed, too) are closed first, still counted at their worst case.
  await ledger.reconcile();
  const lastAttempts = await store.executions.lastAttempts(runId);
  const earlierCalls = resume ? earlierCallsByStep(await store.runs.listCalls(runId)) : new Map<string, EarlierCalls>();
  const context: RunContext = {
    runId,
    pipeline,
    policy: options.policy.policy,
    inputs,
    outputs: reusedOutputs(pipeline, opened.reused),
    stepExecutionIds: opened.ids,
    earlierCalls,
    providers: options.providers,
    providerStates,
    pricesFor: createPriceLookup(options.policy.policy),
    ledger,
    health: await createProviderHealth(store.history, started.getTime()),
    learning: await createRunLearning(store.history, runId, started, now),
    store,
    answers: createAnswerCache({ store: store.cache, runId, reuse: options.reuseCache ?? true, now }),
    nextAttempt(step, item) {
      const key = attemptKey(step, item);
      const next = (lastAttempts.get(key) ?? 0) + 1;
      lastAttempts.set(key, next);
      return next;
    },
    resultsDirectory,
    stepFiles: createStepResultWriter(resultsDirectory),
    stagingRoot: path.join(pipeline.projectDirectory, ".orch", "staging", runId),
    environment,
    signal,
    now,
    emit,
    redact,
  };

  // The scheduler calls `notRun` synchronously; those steps' rows are written before the run closes.
  const notRunWrites: Promise<void>[] = [];
  const final = await runSchedule({
    order: pipeline.order,
    needsOf: (step) => pipeline.steps.get(step)!.needs,
    concurrency: options.concurrency ?? pipeline.concurrency ?? defaultConcurrency,
    failFast: options.failFast ?? false,
    signal,
    done: new Set(opened.reused.map((row) => row.step)),
    runsAfterSkippedNeeds: (step) => pipeline.steps.get(step)!.ifNeedsSkipped === "run",
    run: (step) =>
      runStep(context, pipeline.steps.get(step)!).catch(async (error: unknown) => {
        // A bug or an I/O failure of ours, not the model's: the step still ends, recorded and visible.
        const at = now().toISOString();
        const reason = `internal error: ${context.redact(error instanceof Error ? error.message : String(error))}`;
        await store.runs.finishStep(opened.ids.get(step)!, { status: "failed", finishedAt: at, errorKind: "internal", errorMessage: reason, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
        emit({ type: "step-end", step, status: "failed", synthetic: false, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, attempts: 0, reason, at });
        return "failed" as const;
      }),
    notRun: (step, status, reason) => {
      const at = now().toISOString();
      if (status === "skipped") context.outputs.set(step, { output: "", skipped: true });
      notRunWrites.push(store.runs.finishStep(opened.ids.get(step)!, { status, finishedAt: at, skipReason: reason, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }));
      emit({ type: "step-end", step, status, synthetic: false, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, attempts: 0, reason, at });
    },
  });

  await Promise.all(notRunWrites);
  const earlier = earlierRunTotals(context.earlierCalls);
  const totals = { ...totalsOf(final, events), ...(earlier ? { earlier } : {}) };
  const { status, exitCode } = runStatusOf(final, signal.aborted, totals.overruns);
  const finished = now();
  await rm(context.stagingRoot, { recursive: true, force: true });
  await context.stepFiles.flush();
  // Nothing is left to resume: the answers kept only for that (or rejected) can go.
  if (status === "succeeded") await store.cache.forgetResumeOnly(runId);
  await writeRunSummary(resultsDirectory, {
    runId,
    pipeline: pipeline.name,
    pipelineFile: pipeline.absolutePath,
    policyFile: options.policy.absolutePath,
    status,
    exitCode,
    inputs,
    steps: Object.fromEntries(final),
    totals,
    syntheticProviders,
    ...(resume ? { resumed: true } : {}),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
  });
  // `latest` sits beside the run's own folder (`<root>/<day>/<run>`): a resumed run keeps the folder
  // it was given, whatever results root the resuming command would use for a new run.
  await pointLatestAt(resume ? path.dirname(path.dirname(resultsDirectory)) : options.resultsRoot, resultsDirectory);
  await store.runs.finishRun(runId, status, finished.toISOString(), exitCode);
  const durationMs = finished.getTime() - started.getTime();
  emit({ type: "run-end", runId, status, exitCode, totals, resultsDirectory, durationMs, at: finished.toISOString() });
  return { runId, status, exitCode, totals, resultsDirectory, steps: final };
}

/** A new run's rows, or a resumed run reopened in place: its succeeded steps come back to be reused. */
async function openRun(options: RunOptions, runId: string, inputs: InputValues, resultsDirectory: string, started: Date): Promise<{ ids: Map<string, number>; reused: StepRow[] }> {
  const { pipeline, store } = options;
  if (options.resume) {
    const reopened = await store.executions.reopenRun(runId, pipeline.order, process.pid, started.toISOString());
    return { ids: reopened.ids, reused: reopened.succeeded };
  }
  const ids = await store.runs.createRun(
    { id: runId, pipelineName: pipeline.name, pipelinePath: pipeline.absolutePath, policyPath: options.policy.absolutePath, inputs, startedAt: started.toISOString(), resultsDirectory, processId: process.pid },
    pipeline.order,
  );
  return { ids, reused: [] };
}

function emitReused(emit: (event: RunEvent) => void, row: StepRow, at: Date): void {
  emit({
    type: "step-end",
    step: row.step,
    status: "succeeded",
    ...(row.provider && row.model ? { provider: row.provider, model: row.model } : {}),
    synthetic: false,
    // The step's recorded figures: what its calls cost when an earlier process of this run made them.
    usage: { inputTokens: row.input_tokens, outputTokens: row.output_tokens },
    costUsd: row.cost_usd,
    attempts: row.attempts,
    ...(row.output_file && !row.output_file.includes("\n") ? { outputFile: row.output_file } : {}),
    reused: true,
    at: at.toISOString(),
  });
}

/** The key of `lastAttempts` (the store's, `step#item`, item empty for plain steps). */
function attemptKey(step: string, itemIndex: number | undefined): string {
  return `${step}#${itemIndex ?? ""}`;
}

/** Sortable by time, unique enough across processes: 20261122-143005-9f3a1c. */
export function newRunId(date: Date): string {
  const stamp = date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export function defaultResultsRoot(workingDirectory: string = process.cwd()): string {
  return path.join(workingDirectory, ".orch", "results");
}
