/* Generated from schemas/pipeline.schema.json by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */

/**
 * Task type: code, writing, analysis, docs, edit, chat, or one the policy declares under `tasks`.
 */
export type Task = string;
/**
 * Quality tier; the policy maps each tier to an ordered chain of models.
 */
export type Quality = "economy" | "standard" | "premium";
export type Identifier = string;
/**
 * Inline text (an eta template) or a file holding it, relative to the pipeline file.
 */
export type TextSource =
  | string
  | {
      file: string;
    };

/**
 * An orch pipeline: steps with dependencies (a DAG), prompt templates and outputs.
 */
export interface Pipeline {
  /**
   * Format version of this file.
   */
  version: 1;
  /**
   * Pipeline name, used in reports and budgets.
   */
  name: string;
  description?: string;
  /**
   * Path to the routing policy, relative to this file. `orch run --policy` overrides it.
   */
  policy?: string;
  /**
   * How many steps may run at once (default 4). `--concurrency` overrides it.
   */
  concurrency?: number;
  /**
   * Named inputs, set with `orch run --set name=value`.
   */
  inputs?: {
    [k: string]: Input;
  };
  defaults?: StepDefaults;
  /**
   * The steps, by name. Names are identifiers so templates can read `it.steps.<name>.output`.
   */
  steps: {
    [k: string]: Step;
  };
}
export interface Input {
  type?: "string" | "number" | "boolean";
  description?: string;
  default?: string | number | boolean;
  /**
   * When true and no default is given, `--set` must provide it.
   */
  required?: boolean;
}
export interface StepDefaults {
  task?: Task;
  language?: string;
  quality?: Quality;
  max_tokens?: number;
  temperature?: number;
  timeout_seconds?: number;
}
export interface Step {
  description?: string;
  /**
   * Steps that must finish first; their outputs are readable in the template.
   */
  needs?: Identifier[];
  task?: Task;
  language?: string;
  quality?: Quality;
  /**
   * Pin a model (a policy alias or provider:model), bypassing rules and tiers.
   */
  model?: string;
  tags?: string[];
  /**
   * Sensitive steps may only use local providers.
   */
  sensitive?: boolean;
  system?: TextSource;
  prompt: TextSource;
  /**
   * Files (relative to the pipeline) whose contents are given to the template as `it.context`.
   */
  context?: string[];
  max_tokens?: number;
  temperature?: number;
  timeout_seconds?: number;
  output?: Output;
}
export interface Output {
  /**
   * Where the output is written, relative to the pipeline file; it may not leave the project directory.
   */
  file?: string;
  /**
   * How the answer is read: text (as is), markdown, or json (parsed).
   */
  format?: "text" | "markdown" | "json";
}
