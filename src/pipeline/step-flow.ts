/**
 * A step's flow settings: `when`, `if_needs_skipped`, `for_each`, `cache`, `retries`,
 * `max_attempts`, `max_cost_usd`, `repair`, `provider_cache`. Expressions and globs are parsed here, and what they
 * read is checked once the graph is known, so a typo is a config error at the exact column.
 */
import type { UpstreamSteps } from "./graph.js";
import path from "node:path";
import type { Diagnostic, DocumentPath } from "../config/diagnostic.js";
import { formatDocumentPath } from "../config/diagnostic.js";
import type { LoadedPipeline } from "../config/load-config.js";
import { didYouMean } from "../config/suggest.js";
import type { Pipeline } from "../generated/pipeline.js";
import { parseDuration } from "../policy/duration.js";
import { ExpressionSyntaxError, expressionReferences, parseExpression } from "./expression.js";
import { compileGlob, GlobSyntaxError, type CompiledGlob } from "./glob.js";
import { rowsFormatOf, type RowsFormat } from "./data-rows.js";
import { defaultBatchDeadlineMs, defaultCacheTtlMs, defaultFanOutConcurrency, type FanOut, type FanOutSource, type ParsedExpression, type PipelineStep } from "./model.js";
import { isInside } from "./project-directory.js";

type StepConfig = Pipeline["steps"][string];
type StepFlow = Pick<PipelineStep, "when" | "ifNeedsSkipped" | "forEach" | "cache" | "providerCache" | "batch" | "retries" | "maxAttempts" | "maxCostUsd" | "repair">;

export function readStepFlow(loaded: LoadedPipeline, projectDirectory: string, name: string, step: StepConfig, diagnostics: Diagnostic[]): StepFlow {
  const defaults = loaded.pipeline.defaults ?? {};
  const when = step.when === undefined ? undefined : parseAt(loaded, ["steps", name, "when"], step.when, diagnostics);
  const forEach = step.for_each === undefined ? undefined : readForEach(loaded, projectDirectory, name, step.for_each, diagnostics);
  const cache = step.cache ?? defaults.cache ?? true;
  const providerCache = step.provider_cache ?? defaults.provider_cache ?? true;
  const batch = step.batch ?? defaults.batch ?? false;
  const maxAttempts = step.max_attempts ?? defaults.max_attempts;
  const maxCostUsd = step.max_cost_usd ?? defaults.max_cost_usd;
  return {
    ...(when ? { when } : {}),
    ifNeedsSkipped: step.if_needs_skipped ?? "skip",
    ...(forEach ? { forEach } : {}),
    cache: typeof cache === "boolean" ? { enabled: cache, ttlMs: defaultCacheTtlMs } : { enabled: true, ttlMs: parseDuration(cache.ttl) ?? defaultCacheTtlMs },
    ...(providerCache === false ? {} : { providerCache: { ttl: providerCache === true ? "5m" : providerCache.ttl } }),
    ...(batch === false ? {} : { batch: { deadlineMs: batch === true ? defaultBatchDeadlineMs : (parseDuration(batch.deadline) ?? defaultBatchDeadlineMs) } }),
    retries: step.retries ?? defaults.retries ?? 0,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    repair: step.repair ?? defaults.repair ?? false,
  };
}

function readForEach(
  loaded: LoadedPipeline,
  projectDirectory: string,
  name: string,
  config: NonNullable<StepConfig["for_each"]>,
  diagnostics: Diagnostic[],
): FanOut | undefined {
  const where: DocumentPath = ["steps", name, "for_each"];
  if (typeof config === "string") {
    const items = parseAt(loaded, where, config, diagnostics);
    return items ? { source: { kind: "items", items }, concurrency: defaultFanOutConcurrency } : undefined;
  }
  const concurrency = config.concurrency ?? defaultFanOutConcurrency;
  const allowFailures = config.allow_failures === undefined ? {} : { allowFailures: Number.isInteger(config.allow_failures) ? { count: config.allow_failures } : { fraction: config.allow_failures } };
  const sources = [config.items, config.glob, config.rows].filter((source) => source !== undefined).length;
  if (sources !== 1) {
    diagnostics.push(diagnosticAt(loaded, where, "for_each needs exactly one of items (an expression), glob (file patterns) or rows (a CSV, JSONL or JSON file)", {
      suggestion: 'for example for_each: { glob: "src/*.ts" }, for_each: { items: steps.plan.json } or for_each: { rows: data/tasks.csv }',
    }));
    return undefined;
  }
  if (config.format !== undefined && config.rows === undefined) {
    diagnostics.push(diagnosticAt(loaded, [...where, "format"], "format says how rows are read: it goes with rows", { suggestion: "remove format, or use rows: FILE" }));
    return undefined;
  }
  if (config.items !== undefined) {
    const items = parseAt(loaded, [...where, "items"], config.items, diagnostics);
    return items ? { source: { kind: "items", items }, concurrency, ...allowFailures } : undefined;
  }
  if (config.rows !== undefined) {
    const source = readRowsSource(loaded, projectDirectory, [...where, "rows"], config.rows, config.format, diagnostics);
    return source ? { source, concurrency, ...allowFailures } : undefined;
  }
  const patterns = typeof config.glob === "string" ? [config.glob] : (config.glob ?? []);
  const globs: CompiledGlob[] = [];
  patterns.forEach((pattern, index) => {
    const globPath: DocumentPath = typeof config.glob === "string" ? [...where, "glob"] : [...where, "glob", index];
    try {
      const glob = compileGlob(pattern);
      if (!isInside(projectDirectory, path.resolve(loaded.directory, glob.base, "x"))) {
        diagnostics.push(diagnosticAt(loaded, globPath, `glob "${pattern}" reaches outside the project directory ${projectDirectory}`));
        return;
      }
      globs.push(glob);
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      diagnostics.push({ ...positionIn(loaded, globPath, pattern, error.offset), path: formatDocumentPath(globPath), message: `invalid glob: ${error.message}` });
    }
  });
  return globs.length === patterns.length ? { source: { kind: "glob", globs }, concurrency, ...allowFailures } : undefined;
}

function readRowsSource(
  loaded: LoadedPipeline,
  projectDirectory: string,
  where: DocumentPath,
  file: string,
  given: RowsFormat | undefined,
  diagnostics: Diagnostic[],
): Extract<FanOutSource, { kind: "rows" }> | undefined {
  const absolutePath = path.resolve(loaded.directory, file);
  if (!isInside(projectDirectory, absolutePath)) {
    diagnostics.push(diagnosticAt(loaded, where, `rows file "${file}" is outside the project directory ${projectDirectory}`));
    return undefined;
  }
  const format = rowsFormatOf(file, given);
  if (format === undefined) {
    diagnostics.push(diagnosticAt(loaded, where, `cannot tell how to read "${file}" from its extension`, { expected: ".csv, .jsonl, .ndjson or .json", suggestion: "rename the file, or add format: csv | jsonl | json" }));
    return undefined;
  }
  return { kind: "rows", file, absolutePath, format };
}

function parseAt(loaded: LoadedPipeline, where: DocumentPath, text: string, diagnostics: Diagnostic[]): ParsedExpression | undefined {
  try {
    return { text, expression: parseExpression(text) };
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    diagnostics.push({
      ...positionIn(loaded, where, text, error.offset),
      path: formatDocumentPath(where),
      message: `invalid expression: ${error.message}`,
      suggestion: "expressions read inputs.<name> and steps.<step>.output|json|outputs|items|skipped, e.g. inputs.mode == 'full'",
    });
    return undefined;
  }
}

/**
 * What `when` and `for_each` read must exist: a declared input, a step upstream of this one.
 * Pre: the graph was built (it answers what is upstream of a step).
 */
export function checkStepExpressions(
  loaded: LoadedPipeline,
  step: PipelineStep,
  upstream: UpstreamSteps,
  stepNames: ReadonlySet<string>,
  inputs: readonly string[],
  diagnostics: Diagnostic[],
): void {
  const sources: [DocumentPath, ParsedExpression | undefined][] = [
    [["steps", step.name, "when"], step.when],
    [typeof loaded.pipeline.steps[step.name]?.for_each === "string" ? ["steps", step.name, "for_each"] : ["steps", step.name, "for_each", "items"],
      step.forEach?.source.kind === "items" ? step.forEach.source.items : undefined],
  ];
  for (const [where, parsed] of sources) {
    if (!parsed) continue;
    for (const reference of expressionReferences(parsed.expression)) {
      const at = { ...positionIn(loaded, where, parsed.text, reference.offset), path: formatDocumentPath(where) };
      const known = reference.root === "inputs" ? new Set(inputs) : stepNames;
      if (reference.name === undefined) {
        diagnostics.push({ ...at, message: `name the ${reference.root === "inputs" ? "input" : "step"}: ${reference.root}.<name>` });
      } else if (!known.has(reference.name)) {
        const suggestion = didYouMean(reference.name, [...known]);
        diagnostics.push({ ...at, message: `unknown ${reference.root === "inputs" ? "input" : "step"} "${reference.name}"`, ...(suggestion ? { suggestion } : {}) });
      } else if (reference.root === "steps" && !upstream.has(reference.name)) {
        diagnostics.push({ ...at, message: `reads step "${reference.name}", which is not upstream of "${step.name}"`, suggestion: `add "${reference.name}" to steps.${step.name}.needs` });
      }
    }
  }
}

function diagnosticAt(loaded: LoadedPipeline, where: DocumentPath, message: string, extra: Pick<Diagnostic, "suggestion" | "expected"> = {}): Diagnostic {
  return loaded.document.diagnosticAt(where, { message, ...extra });
}

/** The file position of a character of a string scalar, from its offset in the string. */
function positionIn(loaded: LoadedPipeline, where: DocumentPath, text: string, offset: number): Pick<Diagnostic, "file" | "line" | "column"> {
  const before = text.slice(0, offset).split("\n");
  return { file: loaded.file, ...loaded.document.locateInScalar(where, before.length - 1, before.at(-1)!.length) };
}
