/** Renders a step's prompts from inputs, upstream outputs and context files. */
import { readFile } from "node:fs/promises";
import type { ChatMessage } from "../providers/provider.js";
import type { PipelineModel, PipelineStep, TemplateSource } from "./model.js";
import { checkTemplate } from "./template.js";

export interface UpstreamOutput {
  output: string;
  /** The parsed value when the step's output format is json. */
  json?: unknown;
}

export interface TemplateData {
  inputs: Record<string, string | number | boolean>;
  /** Only the step's upstream steps: reading anything else was rejected at validation. */
  steps: Record<string, UpstreamOutput>;
  context: { file: string; content: string }[];
  step: { name: string; task: string; language?: string };
  pipeline: { name: string };
}

export class TemplateRenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TemplateRenderError";
  }
}

const compiledTemplates = new WeakMap<TemplateSource, (data: object) => string>();

function render(source: TemplateSource, data: TemplateData): string {
  let compiled = compiledTemplates.get(source);
  if (!compiled) {
    const check = checkTemplate(source.text);
    if (!check.ok) throw new TemplateRenderError(check.problem.message);
    compiled = check.render;
    compiledTemplates.set(source, compiled);
  }
  try {
    return compiled(data);
  } catch (error) {
    const where = source.origin.kind === "file" ? source.origin.file : "inline template";
    throw new TemplateRenderError(`${where}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
}

export async function renderStepMessages(
  pipeline: PipelineModel,
  step: PipelineStep,
  inputs: TemplateData["inputs"],
  outputs: ReadonlyMap<string, UpstreamOutput>,
): Promise<ChatMessage[]> {
  const upstream = pipeline.upstream.get(step.name) ?? new Set<string>();
  const data: TemplateData = {
    inputs,
    steps: Object.fromEntries([...upstream].flatMap((name) => (outputs.has(name) ? [[name, outputs.get(name)!]] : []))),
    context: await Promise.all(step.contextFiles.map(async (file) => ({ file: file.file, content: await readFile(file.absolutePath, "utf8") }))),
    step: { name: step.name, task: step.task, ...(step.language === undefined ? {} : { language: step.language }) },
    pipeline: { name: pipeline.name },
  };
  const messages: ChatMessage[] = [];
  if (step.system) messages.push({ role: "system", content: render(step.system, data) });
  messages.push({ role: "user", content: render(step.prompt, data) + contextAppendix(step.prompt, data.context) });
  return messages;
}

/** Context files a template does not place itself are appended, fenced and labelled with their path. */
function contextAppendix(prompt: TemplateSource, context: TemplateData["context"]): string {
  if (context.length === 0 || prompt.text.includes("it.context")) return "";
  return context.map((file) => `\n\n--- ${file.file} ---\n${file.content}`).join("");
}
