/**
 * From a schema-valid pipeline document to a `PipelineModel`, as named passes:
 * normalise steps → build the graph → read template files → read outputs and flow settings
 * (step-output.ts, step-flow.ts) → check templates and expressions against the graph.
 * Every pass adds diagnostics; all of them are reported together.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic, DocumentPath } from "../config/diagnostic.js";
import { ConfigError } from "../config/diagnostic.js";
import type { LoadedPipeline } from "../config/load-config.js";
import type { SourceDocument } from "../config/yaml-document.js";
import { didYouMean } from "../config/suggest.js";
import type { Pipeline } from "../generated/pipeline.js";
import { buildStepGraph } from "./graph.js";
import { defaultMismatch } from "./inputs.js";
import type { InputDefinition, PipelineModel, PipelineStep, TemplateSource } from "./model.js";
import { defaultMaxTokens } from "./model.js";
import { findProjectDirectory } from "./project-directory.js";
import { checkRowsAtValidation } from "./rows-check.js";
import { checkStepExpressions, readStepFlow } from "./step-flow.js";
import { readStepOutput } from "./step-output.js";
import { checkTemplate, type TemplateLocation } from "./template.js";
import { problemsOfReads, type TemplateReadScope } from "./template-reads.js";

type PipelineStepConfig = Pipeline["steps"][string];
type TextSourceConfig = PipelineStepConfig["prompt"];

export async function buildPipeline(loaded: LoadedPipeline): Promise<PipelineModel> {
  const diagnostics: Diagnostic[] = [];
  const report = (documentPath: DocumentPath, message: string, extra: Partial<Diagnostic> = {}, target: "key" | "value" = "value") => {
    diagnostics.push(loaded.document.diagnosticAt(documentPath, { message, ...extra }, target));
  };
  const config = loaded.pipeline;
  const projectDirectory = await findProjectDirectory(loaded.directory);

  const stepEntries = Object.entries(config.steps);
  const needsByStep = new Map(stepEntries.map(([name, step]) => [name, step.needs ?? []]));
  const { graph, problems } = buildStepGraph(needsByStep);
  for (const problem of problems) {
    const where: DocumentPath =
      problem.needIndex === undefined ? ["steps", problem.step, "needs"] : ["steps", problem.step, "needs", problem.needIndex];
    report(where, problem.message, problem.suggestion ? { suggestion: problem.suggestion } : {});
  }

  for (const [name, input] of Object.entries(config.inputs ?? {})) {
    const mismatch = input.default === undefined ? undefined : defaultMismatch(input.type ?? "string", input.default);
    if (mismatch) report(["inputs", name, "default"], mismatch.message, { suggestion: mismatch.suggestion });
  }

  const steps = new Map<string, PipelineStep>();
  for (const [name, step] of stepEntries) {
    const prompt = await readTextSource(loaded, ["steps", name, "prompt"], step.prompt, diagnostics);
    const system = step.system === undefined ? undefined : await readTextSource(loaded, ["steps", name, "system"], step.system, diagnostics);
    const contextFiles = await resolveContextFiles(loaded, name, step.context ?? [], report);
    const flow = readStepFlow(loaded, projectDirectory, name, step, diagnostics);
    const output = await readStepOutput(loaded, projectDirectory, name, step, step.for_each !== undefined, report);
    if (!prompt) continue;
    steps.set(name, {
      name,
      ...(step.description === undefined ? {} : { description: step.description }),
      needs: step.needs ?? [],
      task: step.task ?? config.defaults?.task ?? "chat",
      ...optional("language", step.language ?? config.defaults?.language),
      quality: step.quality ?? config.defaults?.quality ?? "standard",
      ...optional("model", step.model),
      tags: step.tags ?? [],
      sensitive: step.sensitive ?? false,
      maxTokens: step.max_tokens ?? config.defaults?.max_tokens ?? defaultMaxTokens,
      ...optional("temperature", step.temperature ?? config.defaults?.temperature),
      ...optional("timeoutSeconds", step.timeout_seconds ?? config.defaults?.timeout_seconds),
      prompt,
      ...optional("system", system),
      contextFiles,
      output,
      ...flow,
    });
  }

  if (graph) {
    const inputs = Object.keys(config.inputs ?? {});
    const inputDefinitions = readInputs(config);
    const fanOutSteps = new Set([...steps.values()].filter((step) => step.forEach).map((step) => step.name));
    // One list and one set of names for all steps (copying them per step made validation quadratic).
    const allSteps = [...needsByStep.keys()];
    const stepNames = new Set(allSteps);
    for (const step of steps.values()) {
      const upstream = graph.upstreamOf(step.name);
      const itemColumns = await checkRowsAtValidation(step, diagnostics);
      const scope: TemplateReadScope = {
        step: step.name,
        inputs: inputDefinitions,
        upstream,
        allSteps,
        stepNames,
        fanOutSteps,
        items: itemsOf(step, inputDefinitions),
        ...(itemColumns ? { itemColumns } : {}),
      };
      checkStepTemplates(loaded, step, scope, diagnostics);
      checkStepExpressions(loaded, step, upstream, stepNames, inputs, diagnostics);
    }
  }

  if (diagnostics.length > 0 || !graph) throw new ConfigError(diagnostics);
  return {
    name: config.name,
    ...optional("description", config.description),
    file: loaded.file,
    absolutePath: loaded.absolutePath,
    directory: loaded.directory,
    projectDirectory,
    ...optional("policyPath", config.policy === undefined ? undefined : path.resolve(loaded.directory, config.policy)),
    ...optional("concurrency", config.concurrency),
    inputs: readInputs(config),
    steps,
    order: graph.order,
    upstreamOf: graph.upstreamOf,
  };
}

function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}

function readInputs(config: Pipeline): Map<string, InputDefinition> {
  return new Map(
    Object.entries(config.inputs ?? {}).map(([name, input]) => [
      name,
      {
        name,
        type: input.type ?? "string",
        ...optional("default", input.default),
        required: input.required ?? false,
        ...optional("description", input.description),
      },
    ]),
  );
}

async function readTextSource(
  loaded: LoadedPipeline,
  documentPath: DocumentPath,
  source: TextSourceConfig,
  diagnostics: Diagnostic[],
): Promise<TemplateSource | undefined> {
  if (typeof source === "string") return { text: source, origin: { kind: "inline", file: loaded.file, path: documentPath } };
  const absolutePath = path.resolve(loaded.directory, source.file);
  const file = path.relative(process.cwd(), absolutePath) || absolutePath;
  try {
    return { text: await readFile(absolutePath, "utf8"), origin: { kind: "file", file, absolutePath } };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "EISDIR" ? "is a directory" : "not found";
    diagnostics.push(
      loaded.document.diagnosticAt([...documentPath, "file"], {
        message: `prompt file "${source.file}" ${reason} (looked at ${file})`,
        suggestion: "paths are relative to the pipeline file",
      }),
    );
    return undefined;
  }
}

async function resolveContextFiles(
  loaded: LoadedPipeline,
  step: string,
  files: readonly string[],
  report: (documentPath: DocumentPath, message: string, extra?: Partial<Diagnostic>) => void,
): Promise<{ file: string; absolutePath: string }[]> {
  const resolved: { file: string; absolutePath: string }[] = [];
  for (const [index, file] of files.entries()) {
    const absolutePath = path.resolve(loaded.directory, file);
    const info = await stat(absolutePath).catch(() => undefined);
    if (!info?.isFile()) {
      report(["steps", step, "context", index], `context file "${file}" ${info ? "is not a file" : "not found"}`, {
        suggestion: "paths are relative to the pipeline file",
      });
      continue;
    }
    resolved.push({ file, absolutePath });
  }
  return resolved;
}

function checkStepTemplates(loaded: LoadedPipeline, step: PipelineStep, scope: TemplateReadScope, diagnostics: Diagnostic[]): void {
  const sources: [string, TemplateSource | undefined][] = [
    ["prompt", step.prompt],
    ["system", step.system],
    ["output.file", step.output.file?.template],
  ];
  for (const [field, source] of sources) {
    if (!source) continue;
    const at = (location: TemplateLocation) => templatePosition(loaded.document, source, location);
    const check = checkTemplate(source.text);
    if (!check.ok) {
      diagnostics.push({ ...at(check.problem.location), path: `steps.${step.name}.${field}`, message: `template error: ${check.problem.message}` });
      continue;
    }
    for (const problem of problemsOfReads(check.reads, scope)) {
      diagnostics.push({ ...at(problem.location), path: `steps.${step.name}.${field}`, message: problem.message, ...(problem.suggestion ? { suggestion: problem.suggestion } : {}) });
    }
  }
}

/** What `it.item` holds, where it can be known before running: files of a glob, the strings of a list input. */
function itemsOf(step: PipelineStep, inputs: ReadonlyMap<string, InputDefinition>): TemplateReadScope["items"] {
  const source = step.forEach?.source;
  if (!source) return "none";
  if (source.kind === "glob") return "files";
  if (source.kind === "rows") return "rows";
  const expression = source.items.expression;
  const input = expression.kind === "path" && expression.root === "inputs" && expression.segments.length === 1 ? inputs.get(String(expression.segments[0])) : undefined;
  return input?.type === "list" ? "strings" : "unknown";
}

function templatePosition(document: SourceDocument, source: TemplateSource, location: TemplateLocation): Pick<Diagnostic, "file" | "line" | "column"> {
  if (source.origin.kind === "file") return { file: source.origin.file, line: location.line + 1, column: location.column + 1 };
  return { file: source.origin.file, ...document.locateInScalar(source.origin.path, location.line, location.column) };
}
