import path from "node:path";
import { localMidnight } from "../../budget/calendar.js";
import { exitCodes } from "../../errors/orch-error.js";
import { defaultResultsRoot, runPipeline } from "../../executor/run-pipeline.js";
import { parseSetArguments, resolveInputs } from "../../pipeline/inputs.js";
import { maxConcurrency } from "../../pipeline/model.js";
import { openStore } from "../../store/index.js";
import { watchPipeline, type WatchEvent } from "../../watch/watch-pipeline.js";
import { loadWorkspace } from "../../workspace/load-workspace.js";
import { openProviders } from "../../workspace/open-providers.js";
import { defineFlags, exactlyOne, parseCommandArguments, positiveInteger } from "../arguments.js";
import { concurrencyFlag, databaseFlag, noCacheFlag, policyFlag, resultsFlag, setFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import type { CliOutput } from "../output.js";
import { createPlainRenderer } from "../render/plain-renderer.js";
import { withRunTraces } from "../render/traced-renderer.js";
import { countRerunEvent, emptyRerunTally, rerunLine } from "../render/rerun-line.js";
import { reportError } from "../main.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch watch <pipeline> [--set name=value]… [--policy FILE] [--concurrency N] [--db FILE] [--results DIR] [--debounce MS]";

const flags = defineFlags({
  set: setFlag,
  policy: policyFlag,
  concurrency: concurrencyFlag,
  db: databaseFlag,
  results: resultsFlag,
  debounce: { type: "string", placeholder: "MS", description: "wait this long after the last change before rerunning", defaultText: "250" },
  "no-cache": noCacheFlag,
});

export const watchCommand: Command = {
  usage,
  flags,
  run: (args, output) => watchFromArguments(args, output),
};

/** Shared by `orch watch` and `orch run --watch`. */
export async function watchFromArguments(args: string[], output: CliOutput): Promise<number> {
  const { values, positionals } = parseCommandArguments(
    args.filter((argument) => argument !== "--watch"),
    flags,
    usage,
  );
  const pipelineFile = exactlyOne(positionals, "pipeline file", usage);
  const concurrency = positiveInteger(values.concurrency, "--concurrency", maxConcurrency);
  const debounceMs = positiveInteger(values.debounce, "--debounce");
  const given = parseSetArguments(values.set ?? []);
  const project = await resolveProject(output.env);
  for (const warning of project.envWarnings) output.err(warning);
  const store = await openStore(project.databaseFile(values.db));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const workspaceOptions = project.workspaceOptions(values.policy);
  try {
    await watchPipeline({
      pipelineFile,
      ...(workspaceOptions.policyFile === undefined ? {} : { policyFile: workspaceOptions.policyFile }),
      load: () => loadWorkspace(pipelineFile, workspaceOptions),
      signal: stop.signal,
      ...(debounceMs === undefined ? {} : { debounceMs }),
      ...(output.env.ORCH_WATCH_POLLING ? { usePolling: true } : {}),
      onEvent: (event) => renderWatchEvent(event, output),
      run: async (workspace, signal, wrote) => {
        const inputs = resolveInputs(workspace.pipeline, given);
        // One trace per rerun, as `orch run` sends one per run; the plain lines leave out the
        // run's end (the rerun line says it), the trace does not.
        const plain = createPlainRenderer(output, store.location);
        const renderer = await withRunTraces(
          {
            ...plain,
            onEvent: (event) => {
              if (event.type !== "run-end") plain.onEvent(event);
            },
          },
          output,
          { env: project.env, settings: project.settings, pipeline: workspace.pipeline, policy: workspace.policy.policy, stepRoute: (runId, step) => store.callLog.stepRoute(runId, step) },
        );
        const providers = openProviders(workspace.policy, { env: project.env, history: store.history });
        const tally = emptyRerunTally();
        try {
          const outcome = await runPipeline({
            pipeline: workspace.pipeline,
            policy: workspace.policy,
            inputs,
            store,
            providers: providers.set,
            resultsRoot: project.resultsDirectory(values.results) ?? defaultResultsRoot(),
            ...(concurrency === undefined ? {} : { concurrency }),
            reuseCache: values["no-cache"] !== true,
            signal,
            secrets: providers.secrets,
            env: project.env,
            onEvent: (event) => {
              if (event.type === "step-end" && event.outputFile) wrote(path.resolve(event.outputFile));
              countRerunEvent(tally, event);
              renderer.onEvent(event);
            },
          });
          if (!signal.aborted) {
            const todayUsd = await store.history.costSince(localMidnight().toISOString());
            output.out(rerunLine(outcome.runId, tally, { rerunUsd: outcome.totals.costUsd, todayUsd }, output.style));
          }
          return outcome;
        } finally {
          // Flushes the rerun's trace (bounded; a collector that is down costs one warning line).
          await renderer.finish();
          await providers.close();
        }
      },
    });
    return exitCodes.success;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await store.close();
  }
}

function renderWatchEvent(event: WatchEvent, output: CliOutput): void {
  const { style } = output;
  const relative = (file: string) => path.relative(process.cwd(), file) || file;
  switch (event.type) {
    case "watch-start":
      output.out(style.dim(`watching ${event.files.length} files (Ctrl-C stops): ${event.files.map(relative).join(", ")}`));
      return;
    case "change":
      output.out(style.cyan(`\nchanged: ${event.files.map(relative).join(", ")} — revalidating`));
      return;
    case "watch-set":
      if (event.added.length) output.out(style.dim(`now watching ${event.added.map(relative).join(", ")}`));
      if (event.removed.length) output.out(style.dim(`no longer watching ${event.removed.map(relative).join(", ")}`));
      return;
    case "config-error":
      reportError(event.error, output);
      output.err(style.yellow("still watching: fix the file and save to rerun"));
      return;
    case "run-cancelled":
      output.out(style.yellow(`run ${event.runId ?? ""} cancelled by a change; its reservations were released`));
      return;
    case "rerun-end":
      return;
  }
}
