/**
 * What a pipeline reads, and so what watch mode watches: the pipeline file, its policy, every
 * template file, every context file, every output schema file, and the files of the project that
 * a step's validate commands name (`node checks/shape.js {file}`). Files orch itself writes
 * (outputs, results, the database) are never watched, so a run cannot trigger the next one.
 */
import { statSync } from "node:fs";
import path from "node:path";
import type { ValidatorCommand } from "../pipeline/model.js";
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
    if (step.output.schema?.absolutePath) inputs.add(step.output.schema.absolutePath);
    for (const validator of step.output.validators) {
      for (const file of projectFilesNamedBy(validator, workspace.pipeline.projectDirectory)) inputs.add(file);
    }
    // A fan-out over files: watch where its globs start, so new and removed files rerun it too.
    if (step.forEach?.source.kind === "glob") {
      for (const glob of step.forEach.source.globs) inputs.add(path.resolve(workspace.pipeline.directory, glob.base || "."));
    }
    // A fan-out over a data file's rows: an edited row reruns it.
    if (step.forEach?.source.kind === "rows") inputs.add(step.forEach.source.absolutePath);
    const written = step.output.file?.absolutePath;
    if (written) outputs.add(written);
  }
  for (const output of outputs) inputs.delete(output);
  return { inputs, outputs };
}

/**
 * The words of a command that are files of the project: validators run in a mirror of the project
 * root, so a relative word is a path from there. Programs on PATH, flags and placeholders are not
 * files of the project and are left out; so is anything outside it.
 */
export function projectFilesNamedBy(command: ValidatorCommand, projectDirectory: string): string[] {
  const words = command.shell ? command.argv.join(" ").split(/[\s;&|<>()]+/) : command.argv;
  return words.flatMap((word) => {
    const bare = word.replace(/^['"]|['"]$/g, "");
    if (bare === "" || bare.startsWith("-") || bare.includes("{")) return [];
    const absolute = path.resolve(projectDirectory, bare);
    if (absolute !== projectDirectory && !absolute.startsWith(projectDirectory + path.sep)) return [];
    return isFile(absolute) ? [absolute] : [];
  });
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** When the config is broken, watch what we knew plus the files the user is editing. */
export function fallbackWatchSet(previous: WatchSet | undefined, pipelineFile: string, policyFile?: string): WatchSet {
  const inputs = new Set(previous?.inputs ?? []);
  inputs.add(path.resolve(pipelineFile));
  if (policyFile) inputs.add(path.resolve(policyFile));
  return { inputs, outputs: new Set(previous?.outputs ?? []) };
}
