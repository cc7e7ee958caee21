/** Renders a step's prompts (and templated output paths) from inputs, upstream outputs, context files and the fan-out item. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ChatMessage } from "../providers/provider.js";
import type { InputValue, PipelineModel, PipelineStep, TemplateSource } from "./model.js";
import { formatDocumentPath } from "../config/diagnostic.js";
import { checkTemplate, TemplateValueError, type TemplateLocation } from "./template.js";

export interface UpstreamOutput {
  /** The accepted answer (for a for_each step: every item's, separated by blank lines). */
  output: string;
  /** The parsed value when the step's output format is json (for a for_each step: the list of them). */
  json?: unknown;
  /** For a for_each step: each item's output, in item order. */
  outputs?: string[];
  /** For a for_each step: each item with its output (and json). */
  items?: { item: unknown; output: string; json?: unknown }[];
  /** Set when the step was skipped (its `when` was false, or a need was skipped). */
  skipped?: true;
}

/** One unit of work of a step: the whole step, or one item of a for_each step. */
export interface WorkUnit {
  item?: unknown;
  index?: number;
  /** For glob items: the file and its content. */
  file?: { path: string; content: string };
}

export interface TemplateData {
  inputs: Record<string, InputValue>;
  /** Only the step's upstream steps: reading anything else was rejected at validation. */
  steps: Record<string, UpstreamOutput>;
  context: { file: string; content: string }[];
  step: { name: string; task: string; language?: string };
  pipeline: { name: string };
  /** For for_each steps: the item, its position, and for glob items the file. */
  item?: unknown;
  index?: number;
  file?: { path: string; content: string };
}

export class TemplateRenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TemplateRenderError";
  }
}

function render(source: TemplateSource, data: TemplateData): string {
  // checkTemplate parses each text once; validation already did, so this is a lookup.
  const check = checkTemplate(source.text);
  if (!check.ok) throw new TemplateRenderError(`${whereIn(source, check.problem.location)}: ${check.problem.message}`);
  try {
    return check.render(data);
  } catch (error) {
    if (!(error instanceof TemplateValueError)) throw error;
    throw new TemplateRenderError(`${whereIn(source, error.location)}: ${error.message}`, { cause: error });
  }
}

/** `prompts/a.eta:3:7`, or for an inline template its field and the line and column inside it. */
function whereIn(source: TemplateSource, location: TemplateLocation): string {
  if (source.origin.kind === "file") return `${source.origin.file}:${location.line + 1}:${location.column + 1}`;
  return `${source.origin.file} ${formatDocumentPath(source.origin.path)} (template line ${location.line + 1}, column ${location.column + 1})`;
}

export async function renderStepMessages(
  pipeline: PipelineModel,
  step: PipelineStep,
  inputs: TemplateData["inputs"],
  outputs: ReadonlyMap<string, UpstreamOutput>,
  unit: WorkUnit = {},
): Promise<ChatMessage[]> {
  const data = await templateData(pipeline, step, inputs, outputs, unit);
  const messages: ChatMessage[] = [];
  // Stable first (the README's "Provider prompt caching"): a system prompt that reads nothing of the
  // item, then the context files, then the prompt. Each stable part is marked so a provider can cache it.
  const systemStable = step.system !== undefined && !readsUnitData(step.system);
  if (step.system) {
    const content = render(step.system, data);
    messages.push({ role: "system", content, ...(systemStable && content !== "" ? { stableChars: content.length } : {}) });
  }
  const context = contextBlock(step.prompt, data.context);
  const prefixContinues = step.system === undefined || systemStable;
  messages.push({ role: "user", content: context + render(step.prompt, data), ...(context !== "" && prefixContinues ? { stableChars: context.length } : {}) });
  return messages;
}

/** True when a template reads what differs between the items of a for_each step (`it.item`, `it.index`, `it.file`, or `it` whole). */
function readsUnitData(source: TemplateSource): boolean {
  const check = checkTemplate(source.text);
  if (!check.ok) return true;
  return check.reads.some((read) => read.segments.length === 0 || unitFields.has(String(read.segments[0])));
}

const unitFields = new Set(["item", "index", "file"]);

/** The absolute path of a templated `output.file` for one unit, resolved against the pipeline's folder. */
export async function renderOutputPath(
  pipeline: PipelineModel,
  step: PipelineStep,
  inputs: TemplateData["inputs"],
  outputs: ReadonlyMap<string, UpstreamOutput>,
  unit: WorkUnit,
): Promise<string> {
  const file = step.output.file;
  if (!file) throw new TemplateRenderError("the step has no output file");
  if (!file.template) return file.absolutePath!;
  const rendered = render(file.template, await templateData(pipeline, step, inputs, outputs, unit)).trim();
  if (rendered === "") throw new TemplateRenderError(`output.file "${file.file}" rendered to an empty path`);
  return path.resolve(pipeline.directory, rendered);
}

export async function templateData(
  pipeline: PipelineModel,
  step: PipelineStep,
  inputs: TemplateData["inputs"],
  outputs: ReadonlyMap<string, UpstreamOutput>,
  unit: WorkUnit,
): Promise<TemplateData> {
  const steps: Record<string, UpstreamOutput> = {};
  for (const name of stepsReadBy(pipeline, step)) {
    const output = outputs.get(name);
    if (output !== undefined) steps[name] = output;
  }
  return {
    inputs,
    steps,
    context: await Promise.all(step.contextFiles.map(async (file) => ({ file: file.file, content: await readFile(file.absolutePath, "utf8") }))),
    step: { name: step.name, task: step.task, ...(step.language === undefined ? {} : { language: step.language }) },
    pipeline: { name: pipeline.name },
    ...(unit.index === undefined ? {} : { item: unit.item, index: unit.index }),
    ...(unit.file ? { file: unit.file } : {}),
  };
}

const readsOfStep = new WeakMap<PipelineStep, readonly string[] | "all">();

/**
 * The upstream steps a step's templates read (`it.steps.<name>…`), known from validation's parse:
 * a render is given those outputs only, not every ancestor's (which made each render of a long
 * chain copy the whole chain). A template that reads `it.steps` (or `it`) whole gets every upstream step.
 */
export function stepsReadBy(pipeline: PipelineModel, step: PipelineStep): Iterable<string> {
  let reads = readsOfStep.get(step);
  if (reads === undefined) {
    reads = templateStepReads([step.system, step.prompt, step.output.file?.template]);
    readsOfStep.set(step, reads);
  }
  return reads === "all" ? pipeline.upstreamOf(step.name) : reads;
}

function templateStepReads(sources: readonly (TemplateSource | undefined)[]): readonly string[] | "all" {
  const names = new Set<string>();
  for (const source of sources) {
    if (!source) continue;
    const check = checkTemplate(source.text);
    if (!check.ok) continue;
    for (const { segments } of check.reads) {
      if (segments.length === 0) return "all";
      if (segments[0] !== "steps") continue;
      if (typeof segments[1] !== "string") return "all";
      names.add(segments[1]);
    }
  }
  return [...names];
}

/**
 * Context files a template does not place itself come before the prompt, fenced and labelled with
 * their path: they are the same for every call of the step, so a provider can cache them as part
 * of the prompt's prefix. The block ends with a blank line, so the prompt starts a new word.
 */
function contextBlock(prompt: TemplateSource, context: TemplateData["context"]): string {
  if (context.length === 0 || prompt.text.includes("it.context")) return "";
  return context.map((file) => `--- ${file.file} ---\n${file.content}\n\n`).join("");
}
