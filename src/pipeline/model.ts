/** The pipeline as the executor sees it: defaults applied, paths resolved, order computed. */
import type { DocumentPath } from "../config/diagnostic.js";
import type { QualityTier } from "../policy/decision.js";

export type OutputFormat = "text" | "markdown" | "json";

/** Where a template's text came from, so errors inside it point at the right file and line. */
export type TemplateOrigin =
  | { kind: "inline"; file: string; path: DocumentPath }
  | { kind: "file"; file: string; absolutePath: string };

export interface TemplateSource {
  text: string;
  origin: TemplateOrigin;
}

export interface InputDefinition {
  name: string;
  type: "string" | "number" | "boolean";
  default?: string | number | boolean;
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
  timeoutSeconds?: number;
  system?: TemplateSource;
  prompt: TemplateSource;
  /** Absolute paths of context files, read at render time. */
  contextFiles: readonly { file: string; absolutePath: string }[];
  output?: { file: string; absolutePath: string; format: OutputFormat };
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
  /** Every step's transitive upstream steps: what its templates may read. */
  upstream: ReadonlyMap<string, ReadonlySet<string>>;
}

export const defaultMaxTokens = 1024;
export const defaultConcurrency = 4;
