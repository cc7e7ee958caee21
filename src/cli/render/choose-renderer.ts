import type { RunEvent } from "../../executor/events.js";
import type { PipelineModel } from "../../pipeline/model.js";
import type { CliOutput } from "../output.js";
import { createJsonRenderer } from "./json-renderer.js";
import { createListrRenderer } from "./listr-renderer.js";
import { createPlainRenderer } from "./plain-renderer.js";

export interface RunRenderer {
  onEvent(event: RunEvent): void;
  onInterrupt(): void;
  /** Resolves once everything is drawn (listr2 finishes its last frame). */
  finish(): Promise<void>;
}

/** JSON when asked; listr2 on an interactive terminal; plain lines in CI and pipes. */
export function createRunRenderer(output: CliOutput, options: { json: boolean; databaseFile: string; pipeline: PipelineModel }): RunRenderer {
  if (options.json) return createJsonRenderer(output);
  if (output.interactive) return createListrRenderer(output, options.databaseFile, options.pipeline);
  return createPlainRenderer(output, options.databaseFile);
}
