/**
 * Loads a pipeline with its routing policy and checks them together: the entry of
 * `validate`, `plan` and `run`. Every problem of both files is collected before anything
 * is reported, so one `orch validate` shows them all.
 */
import path from "node:path";
import type { Diagnostic } from "../config/diagnostic.js";
import { ConfigError } from "../config/diagnostic.js";
import { FileReadError, loadPipelineFile, loadPolicyFile, PipelineSchemaError, type LoadedPipeline, type LoadedPolicy } from "../config/load-config.js";
import { buildPipeline } from "../pipeline/build-pipeline.js";
import type { PipelineModel } from "../pipeline/model.js";
import { checkPipelineAgainstPolicy } from "./cross-checks.js";
import { checkPolicyPrices } from "./check-prices.js";

export interface Workspace {
  pipeline: PipelineModel;
  policy: LoadedPolicy;
}

export interface WorkspaceOptions {
  /** `--policy`: wins over the pipeline's `policy:`. */
  policyFile?: string;
  /** The project's default policy (orch.config.yaml): used when the pipeline names none. */
  fallbackPolicyFile?: string;
  env?: NodeJS.ProcessEnv;
  /** orch.config.yaml's `name`: the ledger's project when the policy's budget needs one and names none. */
  projectName?: string;
}

export async function loadWorkspace(pipelineFile: string, options: WorkspaceOptions = {}): Promise<Workspace> {
  const diagnostics: Diagnostic[] = [];
  const collect = async <T>(load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      diagnostics.push(...error.diagnostics);
      return undefined;
    }
  };

  let salvaged: LoadedPipeline | undefined;
  const loadedPipeline = await collect(() =>
    loadPipelineFile(pipelineFile).catch((error: unknown) => {
      if (error instanceof PipelineSchemaError) salvaged = error.salvaged;
      throw error;
    }),
  );
  const policyFile = options.policyFile ?? policyNamedBy(loadedPipeline ?? salvaged) ?? options.fallbackPolicyFile;
  if (policyFile === undefined && loadedPipeline) {
    diagnostics.push({
      file: loadedPipeline.file,
      line: 1,
      column: 1,
      path: "",
      message: "no routing policy: the pipeline has no `policy:`, and no --policy, ORCH_POLICY or orch.config.yaml `policy` was given",
      suggestion: "add `policy: ../routing-policies/offline.yaml` (or another policy) to the pipeline, or pass --policy FILE",
    });
  }
  const namedBy = options.policyFile === undefined ? (loadedPipeline ?? salvaged) : undefined;
  const policy = policyFile === undefined ? undefined : await collect(() => loadPolicyFile(policyFile, options.env, { name: options.projectName }).catch((error: unknown) => {
    // A policy file that cannot be read is the pipeline's mistake: shown at its `policy:` value.
    if (error instanceof FileReadError && namedBy) throw new ConfigError(error.diagnostics.map((diagnostic) => atPolicyValue(namedBy, diagnostic)));
    throw error;
  }));
  if (policy) diagnostics.push(...checkPolicyPrices(policy));

  const pipeline = loadedPipeline ? await collect(() => buildPipeline(loadedPipeline)) : undefined;
  if (salvaged) await collect(() => buildPipeline(salvaged!));
  const checkable = loadedPipeline ?? salvaged;
  if (checkable && policy) diagnostics.push(...checkPipelineAgainstPolicy(checkable, policy));

  if (diagnostics.length > 0 || !pipeline || !policy) throw new ConfigError(dedupe(diagnostics));
  return { pipeline, policy };
}

function atPolicyValue(pipeline: LoadedPipeline, diagnostic: Diagnostic): Diagnostic {
  return pipeline.document.diagnosticAt(["policy"], {
    message: `policy "${pipeline.pipeline.policy}" (${diagnostic.file}): ${diagnostic.message}`,
    suggestion: `the path is relative to the pipeline's folder ${pipeline.directory}${diagnostic.suggestion?.startsWith("did you mean") ? `; ${diagnostic.suggestion}` : ""}`,
  });
}

/** The pipeline's `policy:` is relative to the pipeline file; shown relative to the working directory. */
function policyNamedBy(loaded: LoadedPipeline | undefined): string | undefined {
  if (!loaded?.pipeline.policy) return undefined;
  const absolute = path.resolve(loaded.directory, loaded.pipeline.policy);
  return path.relative(process.cwd(), absolute) || absolute;
}

function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((diagnostic) => {
    const key = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}:${diagnostic.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type { LoadedPipeline, LoadedPolicy };
