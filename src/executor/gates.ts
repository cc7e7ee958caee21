/**
 * The gates an answer passes before it becomes the step's output: it must read in the output
 * format (json, schema, code block), then the validator commands must pass against the staged
 * file; only then is the file written to its destination (atomically). A rejection says why, with
 * the validator's output, so escalation and `repair:` can use it.
 */
import path from "node:path";
import { extensionOf } from "../pipeline/languages.js";
import { isReallyInside } from "../pipeline/project-directory.js";
import { renderOutputPath, TemplateRenderError, type UpstreamOutput } from "../pipeline/render.js";
import { writeFileAtomically } from "../store/atomic-write.js";
import { readAnswer } from "./answer-format.js";
import type { RunContext } from "./run-context.js";
import { stageFile } from "./staging.js";
import { childEnvironment } from "../secrets/child-environment.js";
import { runValidator, type AnswerOrigin } from "./validators.js";
import type { UnitRun } from "./work-unit.js";

export type Verdict =
  | { accepted: true; upstream: UpstreamOutput; /** Shown relative to the working directory. */ file?: string }
  /** `fatal`: no other answer can fix it (the output path is wrong); the step stops. */
  | { accepted: false; reason: string; details?: string; fatal?: boolean };

/** `answeredBy`: the provider and model whose answer this is, for the validators' {provider} and {model}. */
export async function checkAnswer(context: RunContext, run: UnitRun, text: string, answeredBy?: { provider: string; model: string }): Promise<Verdict> {
  const { step } = run;
  const read = readAnswer(text, step.output);
  if (!read.ok) return { accepted: false, reason: read.reason };
  const upstream: UpstreamOutput = { output: read.output, ...(read.json === undefined ? {} : { json: read.json }) };
  const content = read.content.endsWith("\n") ? read.content : `${read.content}\n`;

  let destination: string | undefined;
  if (step.output.file) {
    try {
      destination = await renderOutputPath(context.pipeline, step, context.inputs, context.outputs, run.unit);
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      return { accepted: false, fatal: true, reason: `output.file: ${error.message}` };
    }
    if (!(await isReallyInside(context.pipeline.projectDirectory, destination))) {
      return { accepted: false, fatal: true, reason: `refusing to write ${path.relative(context.pipeline.directory, destination)}: it resolves outside the project directory` };
    }
  }

  if (step.output.validators.length > 0) {
    const failure = await runValidators(context, run, content, destination, answeredBy);
    if (failure) return failure;
  }
  if (!destination) return { accepted: true, upstream };
  await writeFileAtomically(destination, content);
  return { accepted: true, upstream, file: path.relative(process.cwd(), destination) || destination };
}

async function runValidators(
  context: RunContext,
  run: UnitRun,
  content: string,
  destination: string | undefined,
  answeredBy: { provider: string; model: string } | undefined,
): Promise<Verdict | undefined> {
  const { step } = run;
  const projectDirectory = context.pipeline.projectDirectory;
  const relativePath = destination
    ? path.relative(projectDirectory, destination)
    : `${step.name}${run.item === undefined ? "" : `-${run.item}`}${extensionOf(step.output.format, step.output.language)}`;
  const origin: AnswerOrigin | undefined = answeredBy && {
    ...answeredBy,
    ...(run.item === undefined ? {} : { item: { index: run.item, value: run.unit.item } }),
  };
  const staged = await stageFile(projectDirectory, path.join(context.stagingRoot, step.name), relativePath, content);
  try {
    for (const command of step.output.validators) {
      if (run.signal.aborted) return { accepted: false, reason: "the run was interrupted before the checks finished" };
      const result = await runValidator(command, staged, childEnvironment(context.environment, step.output.passEnv ?? []), run.signal, origin);
      if (!result.ok) {
        const output = context.redact(result.output.replaceAll(staged.root, "<staged>").trim());
        return { accepted: false, reason: `validate ${result.summary}`, ...(output ? { details: output } : {}) };
      }
    }
    return undefined;
  } finally {
    await staged.remove();
  }
}
