import path from "node:path";
import { exitCodes } from "../../errors/orch-error.js";
import type { RunEvent } from "../../executor/events.js";
import { defaultResultsRoot, runPipeline } from "../../executor/run-pipeline.js";
import { parseSetArguments, resolveInputs } from "../../pipeline/inputs.js";
import { openStore, defaultDatabasePath } from "../../store/index.js";
import { loadWorkspace } from "../../workspace/load-workspace.js";
import { openProviders } from "../../workspace/open-providers.js";
import { parseCommandArguments, positiveInteger, exactlyOne } from "../arguments.js";
import type { Command } from "../main.js";
import { createRunRenderer } from "../render/choose-renderer.js";

const usage =
  "orch run <pipeline> [--set name=value]… [--policy FILE] [--concurrency N] [--fail-fast] [--json] [--db FILE] [--results DIR] [--record FILE]";

export const runCommand: Command = {
  summary: "validate, then run a pipeline: steps in parallel, every call routed, budgeted and recorded",
  usage,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      {
        set: { type: "string", multiple: true },
        policy: { type: "string" },
        concurrency: { type: "string" },
        "fail-fast": { type: "boolean" },
        json: { type: "boolean" },
        db: { type: "string" },
        results: { type: "string" },
        record: { type: "string" },
      },
      usage,
    );
    const pipelineFile = exactlyOne(positionals, "pipeline file", usage);
    const concurrency = positiveInteger(values.concurrency, "--concurrency");
    const given = parseSetArguments(values.set ?? []);
    const workspace = await loadWorkspace(pipelineFile, { env: output.env, ...(values.policy === undefined ? {} : { policyFile: values.policy }) });
    const inputs = resolveInputs(workspace.pipeline, given);

    const store = openStore(values.db ?? defaultDatabasePath(output.env));
    const renderer = createRunRenderer(output, { json: values.json === true, databaseFile: store.file, pipeline: workspace.pipeline });
    let emit: (event: RunEvent) => void = renderer.onEvent;
    const providers = openProviders(workspace.policy, {
      env: output.env,
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
        resultsRoot: values.results === undefined ? defaultResultsRoot() : path.resolve(values.results),
        ...(concurrency === undefined ? {} : { concurrency }),
        failFast: values["fail-fast"] === true,
        signal: interruption.signal,
        onEvent: (event) => emit(event),
        secrets: providers.secrets,
      });
      await renderer.finish();
      emit = () => undefined;
      return outcome.exitCode;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await providers.close();
      store.close();
    }
  },
};
