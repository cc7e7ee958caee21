/**
 * Turns an accepted answer into the step's output: parsed when the format is json, written to
 * `output.file` atomically, and only inside the project directory (checked again here, through
 * symbolic links, because the file system may have changed since validation).
 */
import path from "node:path";
import type { PipelineStep } from "../pipeline/model.js";
import { isReallyInside } from "../pipeline/project-directory.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import { writeFileAtomically } from "../store/atomic-write.js";
import type { RunContext } from "./run-context.js";

/** The answer came back but cannot be used; the next candidate may do better. */
export class OutputRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputRejectedError";
  }
}

export async function deliverOutput(
  context: RunContext,
  step: PipelineStep,
  text: string,
): Promise<{ upstream: UpstreamOutput; file?: string }> {
  if (text.trim() === "") throw new OutputRejectedError("the answer was empty");
  const upstream: UpstreamOutput = { output: text };
  let content = text;
  if (step.output?.format === "json") {
    upstream.json = parseJsonAnswer(text);
    content = `${JSON.stringify(upstream.json, null, 2)}\n`;
  }
  const output = step.output;
  if (!output) return { upstream };
  if (!(await isReallyInside(context.pipeline.projectDirectory, output.absolutePath))) {
    throw new OutputRejectedError(`refusing to write ${output.file}: it resolves outside the project directory`);
  }
  await writeFileAtomically(output.absolutePath, content.endsWith("\n") ? content : `${content}\n`);
  return { upstream, file: path.relative(process.cwd(), output.absolutePath) || output.absolutePath };
}

/** Models often wrap JSON in a ```json fence; accept that, reject anything else that does not parse. */
export function parseJsonAnswer(text: string): unknown {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n```/.exec(text);
  const candidate = (fenced ? fenced[1]! : text).trim();
  try {
    return JSON.parse(candidate);
  } catch (error) {
    throw new OutputRejectedError(`the answer is not valid JSON: ${(error as Error).message}`);
  }
}
