/** The pipeline as the executor sees it: defaults applied, paths resolved, order computed. */
import type { UpstreamSteps } from "./graph.js";
import type { RowsFormat } from "./data-rows.js";
import type { DocumentPath } from "../config/diagnostic.js";
import type { QualityTier } from "../policy/decision.js";
import type { Expression } from "./expression.js";
import type { CompiledGlob } from "./glob.js";

export type OutputFormat = "text" | "markdown" | "json" | "code";

/** Where a template's text came from, so errors inside it point at the right file and line. */
export type TemplateOrigin =
  | { kind: "inline"; file: string; path: DocumentPath }
  | { kind: "file"; file: string; absolutePath: string };

export interface TemplateSource {
  text: string;
  origin: TemplateOrigin;
}

export type InputValue = string | number | boolean | string[];

export interface InputDefinition {
  name: string;
  type: "string" | "number" | "boolean" | "list";
  default?: InputValue;
  required: boolean;
  description?: string;
}

export interface PipelineStep {
  name: string;
  description?: string;
  needs: readonly string[];
  task: string;
  language?: string;
  quality: QualityTier;
  model?: string;
  tags: readonly string[];
  sensitive: boolean;
  maxTokens: number;
  temperature?: number;
  /** Deadline for the whole step (every attempt and check), in seconds. */
  timeoutSeconds?: number;
  system?: TemplateSource;
  prompt: TemplateSource;
  /** Absolute paths of context files, read at render time. */
  contextFiles: readonly { file: string; absolutePath: string }[];
  output: StepOutput;
  /** Run only when this holds; otherwise the step is skipped with the expression as the reason. */
  when?: ParsedExpression;
  /** What a skipped need does to this step: skip it too (default), or let it run. */
  ifNeedsSkipped: "skip" | "run";
  forEach?: FanOut;
  cache: CacheSetting;
  /** The vendor's prompt cache for the stable prefix (`provider_cache`); absent when turned off. */
  providerCache?: { ttl: "5m" | "1h" };
  /** The calls can wait for the vendor's batch API (`batch`), at most `deadlineMs`; absent: called at once. */
  batch?: { deadlineMs: number };
  /** More attempts on the same model after a rejected answer, before the next model. */
  retries: number;
  maxAttempts?: number;
  /** Spend ceiling for the step (each item of a fan-out), all attempts together. */
  maxCostUsd?: number;
  /** Give the next attempt the rejected answer and the reason. */
  repair: boolean;
}

export interface ParsedExpression {
  text: string;
  expression: Expression;
}

/** How long a `batch: true` step waits: the vendors' own completion window. */
export const defaultBatchDeadlineMs = 24 * 60 * 60 * 1000;

export interface CacheSetting {
  enabled: boolean;
  ttlMs: number;
}

export type FanOutSource =
  | { kind: "items"; items: ParsedExpression }
  | { kind: "glob"; globs: readonly CompiledGlob[] }
  /** `rows`: a CSV, JSONL or JSON file; `file` as written (relative to the pipeline). */
  | { kind: "rows"; file: string; absolutePath: string; format: RowsFormat };

export interface FanOut {
  source: FanOutSource;
  /** Items in flight at once. */
  concurrency: number;
  /** `allow_failures`: failed items the step tolerates, as a count or a fraction of the items. */
  allowFailures?: { count: number } | { fraction: number };
}

export interface StepOutput {
  format: OutputFormat;
  /** Where the accepted answer goes; `template` is set when the path holds eta tags. */
  file?: { file: string; absolutePath?: string; template?: TemplateSource };
  /** For format code: the fenced block's language. */
  language?: string;
  schema?: OutputSchema;
  validators: readonly ValidatorCommand[];
  /** Variables the validators get by name, beyond the allowlist (secrets/child-environment.ts). */
  passEnv?: readonly string[];
}

export interface OutputSchema {
  /** Where it came from: `inline` or the file as written. */
  origin: string;
  /** For a schema file: its absolute path (watch mode reruns when it changes). */
  absolutePath?: string;
  /** SHA-256 of the schema's JSON: part of the cache key. */
  digest: string;
  /** Problems of a value against the schema, in words; empty when it matches. */
  check(value: unknown): string[];
}

export interface ValidatorCommand {
  /** As written, for messages. */
  display: string;
  /** A string command runs through `sh -c`; a list runs the program directly. */
  shell: boolean;
  /** The program and its arguments (placeholders not yet replaced); for a shell command, the script alone. */
  argv: readonly string[];
  timeoutMs: number;
}

export interface PipelineModel {
  name: string;
  description?: string;
  /** The pipeline file as the user named it, and its absolute path and directory. */
  file: string;
  absolutePath: string;
  directory: string;
  /** Output files may be written only under this directory. */
  projectDirectory: string;
  /** The policy named in the file, resolved against its directory. */
  policyPath?: string;
  concurrency?: number;
  inputs: ReadonlyMap<string, InputDefinition>;
  steps: ReadonlyMap<string, PipelineStep>;
  /** A topological order: every step after all of its needs, ties in file order. */
  order: readonly string[];
  /** A step's transitive upstream steps (what its templates may read), asked for one step at a time. */
  upstreamOf(step: string): UpstreamSteps;
}

export const defaultMaxTokens = 1024;
export const defaultConcurrency = 4;
/** The most steps at once, as schemas/pipeline.schema.json caps `concurrency` (a test keeps them equal); `--concurrency` too. */
export const maxConcurrency = 64;
export const defaultFanOutConcurrency = 4;
/** A week: long enough for reruns while iterating and in CI, short enough to pick up a model's silent update. */
export const defaultCacheTtlMs = 7 * 24 * 60 * 60_000;
export const defaultValidatorTimeoutMs = 60_000;
