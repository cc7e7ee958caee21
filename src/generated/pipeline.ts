/* Generated from schemas/pipeline.schema.json by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */

/**
 * Task type: code, writing, analysis, docs, edit, chat, or one the policy declares under `tasks`.
 */
export type Task = string;
/**
 * Quality tier; the policy maps each tier to an ordered chain of models.
 */
export type Quality = "economy" | "standard" | "premium";
/**
 * Deadline for the whole step in seconds: every attempt and output check together.
 */
export type StepTimeout = number;
/**
 * Reuse an identical earlier answer (same provider, model, prompt, parameters and output schema): `true` (the default: answers up to 7 days old), `false` (always call), or `{ ttl: 1d }`.
 */
export type Cache =
  | boolean
  | {
      ttl: Duration;
    };
/**
 * A duration such as `30m`, `12h`, `7d` or `1d12h`.
 */
export type Duration = string;
/**
 * The vendor's own prompt cache for the step's stable prefix (the system prompt when it reads nothing of the item, then the context files: they come first). `true` (the default): marked for Anthropic with `cache_control` when long enough (5-minute lifetime; a write costs 1.25× input, a read 0.1×), and grouped for OpenAI with `prompt_cache_key`. `{ ttl: 1h }`: marked for an hour (a write costs 2× input), worth it when calls sharing the prefix come more than 5 minutes apart. `false`: never marked (OpenAI and Gemini still cache long prefixes by themselves).
 */
export type ProviderCache =
  | boolean
  | {
      /**
       * How long a marked prefix stays cached: `5m` or `1h`.
       */
      ttl: "5m" | "1h";
    };
/**
 * The step's calls can wait: they go to the vendor's batch API (OpenAI Batch API, Anthropic Message Batches, Gemini batch mode) at 50% of the price, answered within hours. `true`: wait up to 24h; `{ deadline: 2h }`: wait at most that long. A batch that fails, expires or passes its deadline falls back to an ordinary call under the same budget rules. Providers without a batch API are called as usual.
 */
export type Batch =
  | boolean
  | {
      /**
       * A duration such as `30m`, `12h`, `7d` or `1d12h`.
       */
      deadline: string;
    };
/**
 * How many more times the same model is asked after its answer was rejected by the output checks, before moving on to the next model (default 0).
 */
export type Retries = number;
/**
 * At most this many attempts (calls and cache hits) for the step, or for each item of a for_each step.
 */
export type MaxAttempts = number;
/**
 * At most this much spent on the step (on each item of a for_each step), all attempts together: a model whose worst case does not fit what is left is passed over. At most 1000000.
 */
export type MaxCostUsd = number;
/**
 * Give the next attempt the rejected answer and why it was rejected (the validator's output), so the model can fix it.
 */
export type Repair = boolean;
export type Identifier = string;
/**
 * Inline text (an eta template) or a file holding it, relative to the pipeline file.
 */
export type TextSource =
  | string
  | {
      /**
       * A template file relative to the pipeline file (eta tags, as an inline prompt).
       */
      file: string;
    };
/**
 * A check run on the staged output file. A string runs through `sh -c`; a list runs the program directly, without a shell. `{file}` (the staged file), `{dir}` (the staged copy of the project) and `{name}` (the file's name) are replaced, each as one argument.
 */
export type Command =
  | CommandLine
  | {
      run: CommandLine;
      /**
       * A short name for the check, shown in rejections and the step JSON instead of the command line.
       */
      name?: string;
      /**
       * Default 60.
       */
      timeout_seconds?: number;
    };
/**
 * A command: a string runs through `sh -c` (placeholders become quoted variables); a list runs the program with its arguments, no shell.
 */
export type CommandLine = string | [string, ...string[]];
/**
 * Run the step once per item: an expression giving a list (`inputs.files`, `steps.plan.json.modules`), or `{ items: …, concurrency: 2 }`, or `{ glob: "src/** /*.ts" }` (files relative to the pipeline), or `{ rows: data/tasks.csv }` (each row of a CSV, JSONL or JSON file, as an object). Templates see `it.item` and `it.index`; dependents see `it.steps.<name>.outputs` and `.items`.
 */
export type ForEach =
  | string
  | {
      /**
       * An expression giving the list of items: `inputs.files`, `steps.plan.json.modules`.
       */
      items?: string;
      /**
       * File patterns relative to the pipeline (`*`, `**`, `?`, `{a,b}`): one item per matching file, in `it.file` as `{ path, content }`.
       */
      glob?: string | [string, ...string[]];
      /**
       * A data file relative to the pipeline: one item per row, as an object in `it.item` (`it.item.title`). CSV (RFC 4180, the first line names the columns; every value a string), JSONL (one JSON object per line) or JSON (an array of objects). A CSV's columns are checked against the templates by `orch validate` when the file exists.
       */
      rows?: string;
      /**
       * How `rows` is read; default: from its extension (.csv, .jsonl or .ndjson, .json).
       */
      format?: "csv" | "jsonl" | "json";
      /**
       * Items in flight at once (default 4).
       */
      concurrency?: number;
      /**
       * How many items may fail while the step still succeeds: a count (`3`) or a fraction of the items (`0.05` = 5%). The step's result, its end event and the run summary say how many failed. Items stopped by the budget or deferred are never allowed. Dependents see the items that succeeded.
       */
      allow_failures?: number;
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
  /**
   * What the pipeline does, for people: shown by `orch plan` and in editors.
   */
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
  /**
   * `list`: `--set name=a,b,c` (or a JSON array of strings) gives a list, e.g. for `for_each`.
   */
  type?: "string" | "number" | "boolean" | "list";
  /**
   * What the input is for; shown by `orch plan` and in editors.
   */
  description?: string;
  /**
   * The value when `--set` gives none: a string, number or boolean, or a list of strings for `type: list`.
   */
  default?: (string | number | boolean) | string[];
  /**
   * When true and no default is given, `--set` must provide it.
   */
  required?: boolean;
}
/**
 * Settings every step takes unless it sets its own: task, language, quality, max_tokens, temperature, timeout, cache, retries and attempt limits.
 */
export interface StepDefaults {
  task?: Task;
  /**
   * The language of every step that names none.
   */
  language?: string;
  quality?: Quality;
  /**
   * The answer length cap of every step that sets none (else 4096).
   */
  max_tokens?: number;
  /**
   * The temperature of every step that sets none.
   */
  temperature?: number;
  timeout_seconds?: StepTimeout;
  cache?: Cache;
  provider_cache?: ProviderCache;
  batch?: Batch;
  retries?: Retries;
  max_attempts?: MaxAttempts;
  max_cost_usd?: MaxCostUsd;
  repair?: Repair;
}
export interface Step {
  /**
   * What the step does, for people: shown by `orch plan`, `orch graph` and in editors.
   */
  description?: string;
  /**
   * Steps that must finish first; their outputs are readable in the template.
   */
  needs?: Identifier[];
  task?: Task;
  /**
   * The programming or natural language of the step (typescript, python, fr…): rules can route on it, and format code takes its fenced block.
   */
  language?: string;
  quality?: Quality;
  /**
   * Pin a model (a policy alias or provider:model), bypassing rules and tiers.
   */
  model?: string;
  /**
   * Free labels: rules can route on them, and `per_tag` budgets count the step's spend under each.
   */
  tags?: string[];
  /**
   * Sensitive steps may only use local providers, and the call log, step JSON and recordings keep only hashes of their prompts and answers.
   */
  sensitive?: boolean;
  system?: TextSource;
  prompt: TextSource;
  /**
   * Files (relative to the pipeline) whose contents are given to the template as `it.context`.
   */
  context?: string[];
  /**
   * Most tokens the answer may have; also what the worst-case cost is reserved for. Default: `defaults.max_tokens`, else 4096.
   */
  max_tokens?: number;
  /**
   * Sampling temperature (0 to 2); left out for models that refuse one, which the step result notes.
   */
  temperature?: number;
  timeout_seconds?: StepTimeout;
  output?: Output;
  /**
   * Run the step only when this expression holds, e.g. `inputs.mode == 'full' && steps.classify.json.kind != 'chore'`. It reads `inputs.<name>` and `steps.<upstream>.output|json|outputs|items|skipped`; operators == != < <= > >= && || ! ( ), functions contains, startsWith, endsWith, length.
   */
  when?: string;
  /**
   * When a step in `needs` was skipped: `skip` this one too (the default) or `run` it anyway (the skipped step reads as `{ output: "", skipped: true }`).
   */
  if_needs_skipped?: "skip" | "run";
  for_each?: ForEach;
  cache?: Cache;
  provider_cache?: ProviderCache;
  batch?: Batch;
  retries?: Retries;
  max_attempts?: MaxAttempts;
  max_cost_usd?: MaxCostUsd;
  repair?: Repair;
}
/**
 * What becomes of the answer: its format (text, markdown, json, code), a JSON Schema, the file it is written to and the checks it must pass first.
 */
export interface Output {
  /**
   * Where the accepted output is written, relative to the pipeline file; it may not leave the project directory. May hold eta tags (`<%= it.item %>`, `<%= it.inputs.name %>`).
   */
  file?: string;
  /**
   * How the answer is read: text (as is), markdown, json (parsed, checked against `schema`) or code (taken from the fenced block of the step's language).
   */
  format?: "text" | "markdown" | "json" | "code";
  /**
   * For format code: the language whose fenced block is taken (default: the step's language, else the output file's extension).
   */
  language?: string;
  /**
   * For format json: a JSON Schema the parsed answer must match, inline or a file relative to the pipeline.
   */
  schema?: {} | string;
  /**
   * Commands run against the staged output; it reaches its destination only when every one exits 0. A failure rejects the answer, and the step moves on to the next model.
   */
  validate?: Command[];
  /**
   * Environment variables given to the `validate` commands by name, beyond the few every command gets (PATH, HOME, LANG, TMPDIR… see the README's Security model). Nothing else of orch's environment reaches them; values of secret-looking variables are still scrubbed from their output.
   */
  pass_env?: string[];
}
