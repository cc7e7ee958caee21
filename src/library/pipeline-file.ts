/**
 * A pipeline file planned or run in one call, for programs that use orch as a library: the same
 * passes `orch plan` and `orch run` compose (load and check → inputs → store → providers → plan or
 * run), with the store and providers closed afterwards whatever happens.
 */
import type { RunEvent } from "../executor/events.js";
import { defaultResultsRoot, runPipeline, type RunOutcome } from "../executor/run-pipeline.js";
import { resolveInputs } from "../pipeline/inputs.js";
import { resolveProject, type Project } from "../project/resolve-project.js";
import { openStore, type OrchStore } from "../store/index.js";
import { loadWorkspace, type Workspace } from "../workspace/load-workspace.js";
import { openProviders, type OpenedProviders } from "../workspace/open-providers.js";
import { planPipeline, type PipelinePlan } from "../workspace/plan.js";
import { startRunTelemetry } from "../telemetry/run-telemetry.js";

export interface PipelineFileOptions {
  /** A routing policy file; default: `ORCH_POLICY`, else the pipeline's own `policy:`, else orch.config.yaml's. */
  policyFile?: string;
  /** Input values as `--set` gives them (strings, converted to the declared types). */
  inputs?: Readonly<Record<string, string>>;
  /** The SQLite database (ledger, history, cache); default orch.config.yaml's, else `$ORCH_HOME/orch.db`, else `~/.orch/orch.db`. */
  databaseFile?: string;
  /** Environment for `${VAR}` in the policy and for API keys, over the project's env files; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where orch.config.yaml is looked for (walking up) and `.env` read; default the process's working directory. */
  workingDirectory?: string;
}

export interface RunPipelineFileOptions extends PipelineFileOptions {
  /** Every run event (step and attempt start and end, budget alerts…), as the CLI's renderers get them. */
  onEvent?: (event: RunEvent) => void;
  /** Aborting stops the run as Ctrl-C does: no new call starts, the run is marked interrupted. */
  signal?: AbortSignal;
  /** Where the result folder goes; default orch.config.yaml's, else `.orch/results` under the working directory. */
  resultsDirectory?: string;
  concurrency?: number;
  failFast?: boolean;
  /** False: no answer is reused from, or offered to, other runs (`--no-cache`). */
  reuseCache?: boolean;
}

export async function runPipelineFile(pipelineFile: string, options: RunPipelineFileOptions = {}): Promise<RunOutcome> {
  return withOpened(pipelineFile, options, async ({ workspace, inputs, store, providers, project }) => {
    // Traces as `orch run` sends them (OTEL_EXPORTER_OTLP_ENDPOINT or orch.config.yaml's telemetry);
    // a collector that is down costs at most the bounded flush, never the run.
    const telemetry = await startRunTelemetry({
      env: project.env,
      settings: project.settings,
      pipeline: workspace.pipeline,
      policy: workspace.policy.policy,
      stepRoute: (runId, step) => store.callLog.stepRoute(runId, step),
    });
    const onEvent = telemetry ? (event: RunEvent) => (options.onEvent?.(event), telemetry.onEvent(event)) : options.onEvent;
    try {
      return await runPipeline({
        pipeline: workspace.pipeline,
        policy: workspace.policy,
        inputs,
        store,
        providers: providers.set,
        resultsRoot: project.resultsDirectory(options.resultsDirectory) ?? defaultResultsRoot(options.workingDirectory),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        failFast: options.failFast === true,
        reuseCache: options.reuseCache !== false,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(onEvent === undefined ? {} : { onEvent }),
        secrets: providers.secrets,
        env: project.env,
      });
    } finally {
      await telemetry?.finish();
    }
  });
}

export async function planPipelineFile(pipelineFile: string, options: PipelineFileOptions = {}): Promise<PipelinePlan> {
  return withOpened(pipelineFile, options, ({ workspace, inputs, store, providers }) => planPipeline(workspace, inputs, store, providers.set));
}

interface Opened {
  workspace: Workspace;
  inputs: ReturnType<typeof resolveInputs>;
  store: OrchStore;
  providers: OpenedProviders;
  project: Project;
}

async function withOpened<T>(pipelineFile: string, options: PipelineFileOptions, work: (opened: Opened) => Promise<T>): Promise<T> {
  // The same settings as the CLI: orch.config.yaml, ORCH_POLICY and the project's env files.
  const project = await resolveProject(options.env ?? process.env, options.workingDirectory ?? process.cwd());
  const workspace = await loadWorkspace(pipelineFile, project.workspaceOptions(options.policyFile));
  const inputs = resolveInputs(workspace.pipeline, new Map(Object.entries(options.inputs ?? {})));
  const store = await openStore(project.databaseFile(options.databaseFile));
  try {
    const providers = openProviders(workspace.policy, { env: project.env, history: store.history, ...(options.workingDirectory === undefined ? {} : { workingDirectory: options.workingDirectory }) });
    try {
      return await work({ workspace, inputs, store, providers, project });
    } finally {
      await providers.close();
    }
  } finally {
    await store.close();
  }
}
