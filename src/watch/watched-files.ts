/**
 * What a pipeline reads, and so what watch mode watches: the pipeline file, its policy, every
 * template file, every context file. Files orch itself writes (outputs, results, the database)
 * are never watched, so a run cannot trigger the next one.
 */
import path from "node:path";
import type { Workspace } from "../workspace/load-workspace.js";

export interface WatchSet {
  /** Absolute paths of files (or, for globs, folders) whose change means "rerun". */
  inputs: Set<string>;
  /**
   * Absolute paths orch writes; a change there is orch's own doing. Templated output paths are
   * only known once written: the run adds them as it reports them.
   */
  outputs: Set<string>;
}

export function watchSetOf(workspace: Workspace): WatchSet {
  const inputs = new Set<string>([workspace.pipeline.absolutePath, workspace.policy.absolutePath]);
  const outputs = new Set<string>();
  for (const step of workspace.pipeline.steps.values()) {
    for (const source of [step.prompt, step.system]) {
      if (source?.origin.kind === "file") inputs.add(source.origin.absolutePath);
    }
    for (const context of step.contextFiles) inputs.add(context.absolutePath);
    // A fan-out over files: watch where its globs start, so new and removed files rerun it too.
    if (step.forEach?.source.kind === "glob") {
      for (const glob of step.forEach.source.globs) inputs.add(path.resolve(workspace.pipeline.directory, glob.base || "."));
    }
    const written = step.output.file?.absolutePath;
    if (written) outputs.add(written);
  }
  for (const output of outputs) inputs.delete(output);
  return { inputs, outputs };
}

/** When the config is broken, watch what we knew plus the files the user is editing. */
export function fallbackWatchSet(previous: WatchSet | undefined, pipelineFile: string, policyFile?: string): WatchSet {
  const inputs = new Set(previous?.inputs ?? []);
  inputs.add(path.resolve(pipelineFile));
  if (policyFile) inputs.add(path.resolve(policyFile));
  return { inputs, outputs: new Set(previous?.outputs ?? []) };
}
