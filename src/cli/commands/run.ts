import path from "node:path";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import type { RunEvent } from "../../executor/events.js";
import { claimLeaseMs } from "../../executor/flight-across-processes.js";
import { findRunToResume } from "../../executor/resume.js";
import { defaultResultsRoot, runPipeline } from "../../executor/run-pipeline.js";
import { parseSetArguments, resolveInputs } from "../../pipeline/inputs.js";
import { maxConcurrency } from "../../pipeline/model.js";
import { openStore, type OrchStore } from "../../store/index.js";
import { loadWorkspace } from "../../workspace/load-workspace.js";
import { openProviders } from "../../workspace/open-providers.js";
import { defineFlags, parseCommandArguments, positiveInteger, exactlyOne } from "../arguments.js";
import { concurrencyFlag, databaseFlag, jsonFlag, noCacheFlag, policyFlag, resultsFlag, setFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { createRunRenderer } from "../render/choose-renderer.js";
import { withRunTraces } from "../render/traced-renderer.js";
import { jobSummaryFile } from "../github-actions.js";
import { budgetAfterRun, collectJobSummary, renderJobSummary, writeJobSummary } from "../render/job-summary.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage =
  "orch run <pipeline> [--set name=value]… [--policy FILE] [--concurrency N] [--fail-fast] [--no-cache] [--resume [RUN-ID]] [--json] [--db FILE] [--results DIR] [--record FILE] [--watch]";

const runIdPattern = /^\d{8}-\d{6}-[0-9a-f]{6}$/;

const flags = defineFlags({
  set: setFlag,
  policy: policyFlag,
  concurrency: concurrencyFlag,
  "fail-fast": { type: "boolean", description: "stop starting new steps after the first failure" },
  json: { type: "boolean", description: "print the run's events as JSON lines instead of progress" },
  db: databaseFlag,
  results: resultsFlag,
  record: { type: "string", placeholder: "FILE", description: "record every provider answer to this file, for replay in tests" },
  "no-cache": noCacheFlag,
  resume: { type: "boolean", description: "resume the latest unfinished run of the pipeline (or --resume RUN-ID), reusing succeeded steps" },
  watch: { type: "boolean", description: "after the run, rerun what changed whenever an input file changes (as orch watch)" },
});

export const runCommand: Command = {
  usage,
  flags,
  async run(givenArgs, output) {
    if (givenArgs.includes("--watch")) {
      const { watchFromArguments } = await import("./watch.js");
      return watchFromArguments(givenArgs, output);
    }
    const { args, resumeId } = takeResumeId(givenArgs);
    const { values, positionals } = parseCommandArguments(
      args,
      flags,
      usage,
    );
    const resuming = values.resume === true;
    if (resuming && values.set?.length) throw new UsageError({ message: "--set cannot be combined with --resume", hint: "a resumed run keeps the inputs it started with" });
    const project = await resolveProject(output.env);
    claimLeaseMs(project.env); // a bad test lease is a usage error before anything runs, not a failed step
    const databaseFile = project.databaseFile(values.db);
    // `orch run --resume ID` alone: the run knows its pipeline. Only then is the store opened before validation.
    let store: OrchStore | undefined;
    if (resuming && resumeId !== undefined && positionals.length === 0) store = await openStore(databaseFile);
    const pipelineFile = store ? await pipelineOfRun(store, resumeId!) : exactlyOne(positionals, "pipeline file", usage);
    const concurrency = positiveInteger(values.concurrency, "--concurrency", maxConcurrency);
    const given = parseSetArguments(values.set ?? []);
    const workspace = await loadWorkspace(pipelineFile, project.workspaceOptions(values.policy)).catch(async (error: unknown) => {
      await store?.close();
      throw error;
    });
    const inputs = resuming ? {} : resolveInputs(workspace.pipeline, given);
    for (const warning of project.envWarnings) output.err(warning);

    const opened = store ?? (await openStore(databaseFile));
    store = opened;
    let resume;
    try {
      resume = resuming ? await findRunToResume(opened, workspace.pipeline, resumeId) : undefined;
    } catch (error) {
      await opened.close();
      throw error;
    }
    const renderer = await withRunTraces(createRunRenderer(output, { json: values.json === true, databaseFile: opened.location, pipeline: workspace.pipeline }), output, { env: project.env, settings: project.settings, pipeline: workspace.pipeline, policy: workspace.policy.policy, stepRoute: (runId, step) => opened.callLog.stepRoute(runId, step) });
    const summaryFile = jobSummaryFile(output.env);
    const summary = summaryFile === undefined ? undefined : collectJobSummary();
    let emit: (event: RunEvent) => void = summary ? (event) => (summary.onEvent(event), renderer.onEvent(event)) : renderer.onEvent;
    const providers = openProviders(workspace.policy, {
      env: project.env,
      history: store.history,
      ...(values.record === undefined ? {} : { recordTo: path.resolve(values.record) }),
      onWait: (wait) => emit({ type: "provider-wait", ...wait, at: new Date().toISOString() }),
    });
    const interruption = new AbortController();
    const onSignal = () => {
      if (interruption.signal.aborted) process.exit(exitCodes.interrupted);
      renderer.onInterrupt();
      interruption.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const outcome = await runPipeline({
        pipeline: workspace.pipeline,
        policy: workspace.policy,
        inputs,
        store,
        providers: providers.set,
        resultsRoot: project.resultsDirectory(values.results) ?? defaultResultsRoot(),
        ...(concurrency === undefined ? {} : { concurrency }),
        failFast: values["fail-fast"] === true,
        reuseCache: values["no-cache"] !== true,
        ...(resume ? { resume } : {}),
        signal: interruption.signal,
        onEvent: (event) => emit(event),
        secrets: providers.secrets,
        // The environment with the project's `.env` files: validators' `pass_env` reads from it.
        env: project.env,
      });
      await renderer.finish();
      emit = () => undefined;
      if (summary) {
        const budget = await budgetAfterRun(opened.ledger, workspace.policy.policy.budget, outcome.runId);
        writeJobSummary(summaryFile!, renderJobSummary(summary, { budget, env: output.env }));
      }
      if (outcome.status !== "succeeded") output.err(`resume with: orch run ${pipelineFile} --resume ${outcome.runId}`);
      return outcome.exitCode;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await providers.close();
      await opened.close();
    }
  },
};

/** `--resume` takes an optional run id (`--resume ID` or `--resume=ID`); parseArgs cannot say "optional value". */
function takeResumeId(args: readonly string[]): { args: string[]; resumeId?: string } {
  const rest: string[] = [];
  let resumeId: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    if (argument.startsWith("--resume=")) {
      resumeId = argument.slice("--resume=".length);
      rest.push("--resume");
    } else if (argument === "--resume" && runIdPattern.test(args[index + 1] ?? "")) {
      resumeId = args[++index];
      rest.push("--resume");
    } else {
      rest.push(argument);
    }
  }
  if (resumeId !== undefined && !runIdPattern.test(resumeId)) {
    throw new UsageError({ message: `--resume expects a run id like 20261122-143005-9f3a1c, got "${resumeId}"`, hint: `usage: ${usage}` });
  }
  return { args: rest, ...(resumeId === undefined ? {} : { resumeId }) };
}

async function pipelineOfRun(store: OrchStore, runId: string): Promise<string> {
  const run = await store.executions.getRun(runId);
  if (!run) {
    await store.close();
    throw new UsageError({ message: `no run "${runId}" in ${store.location}`, hint: "pass --db if the run used another store" });
  }
  return path.relative(process.cwd(), run.pipelinePath) || run.pipelinePath;
}
