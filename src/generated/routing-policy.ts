/* Generated from schemas/routing-policy.schema.json by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */

/**
 * A provider; `type` picks its settings.
 */
export type Provider = {
  /**
   * Which kind of provider: mock, openai, openrouter, anthropic, gemini, ollama, cli or replay.
   */
  type: "mock" | "openai" | "openrouter" | "anthropic" | "gemini" | "ollama" | "cli" | "replay";
} & Provider1;
export type Provider1 = MockProvider | HttpApiProvider | OllamaProvider | CliProvider | ReplayProvider;
/**
 * Calls in flight at once.
 */
export type MaxConcurrency = number;
/**
 * Requests per minute.
 */
export type RequestsPerMinute = number;
/**
 * Tokens per minute.
 */
export type TokensPerMinute = number;
/**
 * Per-call timeout.
 */
export type TimeoutSeconds = number;
/**
 * Retries of a failed call on the same provider (rate limits, server errors, timeouts), with backoff; default 2.
 */
export type MaxRetries = number;
export type Model =
  | string
  | {
      /**
       * The model as `provider:model`, the provider being a key under `providers:`.
       */
      model: string;
      prices?: Prices;
      /**
       * The model's own output cap in tokens, at most 10000000; a step's max_tokens above it is lowered to it.
       */
      max_output_tokens?: number;
      /**
       * The model's context window in tokens, at most 100000000; a prompt estimated above it skips the model.
       */
      context_window?: number;
    };
/**
 * An ordered chain of models (aliases under `models:` or `provider:model`): the first that fits the request and the budget is called, the next ones take over on failure.
 *
 * @minItems 1
 */
export type Chain = [ModelRef, ...ModelRef[]];
/**
 * A model alias from `models`, or `provider:model`.
 */
export type ModelRef = string;
/**
 * One value, or a list of values of which any matches: `task: code`, `language: [python, go]`.
 */
export type StringOrList = string | [string, ...string[]];
export type Complexity = "trivial" | "simple" | "medium" | "complex" | "massive";
/**
 * An ordered chain of models (aliases under `models:` or `provider:model`): the first that fits the request and the budget is called, the next ones take over on failure.
 *
 * @minItems 1
 */
export type Chain1 = [ModelRef, ...ModelRef[]];
/**
 * An amount in USD, at most 1000000: orch counts money in whole nano-dollars, exactly, up to that size.
 */
export type UsdLimit = number;
/**
 * An ordered chain of models (aliases under `models:` or `provider:model`): the first that fits the request and the budget is called, the next ones take over on failure.
 *
 * @minItems 1
 */
export type Chain2 = [ModelRef, ...ModelRef[]];

/**
 * An orch routing policy: providers, model aliases, tier chains, first-match rules and budgets.
 */
export interface RoutingPolicy {
  /**
   * The format of this file; always 1.
   */
  version: 1;
  /**
   * The policy's name, shown by `orch route` and reports.
   */
  name?: string;
  /**
   * What the policy is for, for people.
   */
  description?: string;
  /**
   * Providers by name. A model reference `name:model` names one of these.
   */
  providers: {
    [k: string]: Provider;
  };
  /**
   * Model aliases: alias -> `provider:model`, or an object with prices.
   */
  models: {
    [k: string]: Model;
  };
  /**
   * Each quality tier's ordered chain of models (aliases or provider:model); the first that fits is used.
   */
  tiers: {
    economy: Chain;
    standard: Chain;
    premium: Chain;
  };
  /**
   * Task types beyond the built-in code, writing, analysis, docs, edit and chat.
   */
  tasks?: string[];
  /**
   * Checked in order; the first whose `when` matches decides the chain.
   */
  rules?: Rule[];
  budget?: Budget;
  escalate?: Chain2;
  /**
   * What one accepted answer is worth, in USD, for every request (a rule's `best_value.value_usd` wins). After an answer is rejected, a further attempt is made only while its expected value (the estimated chance that this model's answer is accepted, given the ones already rejected on this request, times this value) is at least its expected cost; otherwise orch stops and says why. Absent: every candidate and the escalation chain are tried.
   */
  value_usd?: number;
  targets?: Targets;
  /**
   * What the call log keeps of every call (the SQLite table `llm_call_texts`, each step's `<step>.json`, the `--record` file and `plan --json`). By default the rendered messages and the answer, secrets scrubbed.
   */
  log?: {
    /**
     * `full` (default): the rendered messages and the answer, secrets scrubbed. `hashes`: only their SHA-256, for every step (a `sensitive: true` step always keeps only hashes).
     */
    prompts?: "full" | "hashes";
  };
}
export interface MockProvider {
  /**
   * `mock`: answers offline with deterministic text; no key, no cost but synthetic money.
   */
  type: "mock";
  /**
   * How long each mock answer takes, in milliseconds (default 0).
   */
  latency_ms?: number;
  /**
   * Scripted answers and errors, first match wins; unmatched prompts get a deterministic mock answer.
   */
  responses?: MockResponse[];
  max_concurrency?: MaxConcurrency;
  rpm?: RequestsPerMinute;
  tpm?: TokensPerMinute;
  timeout_seconds?: TimeoutSeconds;
  max_retries?: MaxRetries;
}
export interface MockResponse {
  /**
   * Answer only this step.
   */
  step?: string;
  /**
   * Answer only this model name.
   */
  model?: string;
  /**
   * Answer only prompts containing this text.
   */
  contains?: string;
  /**
   * The answer.
   */
  text?: string;
  /**
   * Fail instead of answering, with this provider error (to test fallbacks and retries offline).
   */
  error?: {
    /**
     * The error's kind, as real providers' errors are normalised: rate_limit and server are retried, bad_request is not.
     */
    kind: "rate_limit" | "auth" | "bad_request" | "context_length" | "server" | "timeout" | "network" | "unavailable";
    /**
     * The error's message, as it would appear in events and results.
     */
    message?: string;
  };
}
export interface HttpApiProvider {
  /**
   * The vendor API: openai (also any OpenAI-compatible server), openrouter, anthropic or gemini.
   */
  type: "openai" | "openrouter" | "anthropic" | "gemini";
  /**
   * Environment variable holding the key.
   */
  api_key_env?: string;
  /**
   * The API's address, for a proxy, a self-hosted gateway or the fake server (default: the vendor's).
   */
  base_url?: string;
  /**
   * Extra HTTP headers sent with every request; values may use `${VAR}`.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * Stream answers (default true): an interrupted call still reports the tokens it used.
   */
  stream?: boolean;
  max_concurrency?: MaxConcurrency;
  rpm?: RequestsPerMinute;
  tpm?: TokensPerMinute;
  timeout_seconds?: TimeoutSeconds;
  max_retries?: MaxRetries;
}
export interface OllamaProvider {
  /**
   * `ollama`: local models through an Ollama server; local, so sensitive steps may use it.
   */
  type: "ollama";
  /**
   * The Ollama server (default http://127.0.0.1:11434, or OLLAMA_HOST).
   */
  host?: string;
  /**
   * Pull a missing model before the first call.
   */
  pull?: boolean;
  /**
   * Stream answers (default true).
   */
  stream?: boolean;
  max_concurrency?: MaxConcurrency;
  rpm?: RequestsPerMinute;
  tpm?: TokensPerMinute;
  timeout_seconds?: TimeoutSeconds;
  max_retries?: MaxRetries;
}
export interface CliProvider {
  /**
   * `cli`: a local program (a coding agent's CLI) that reads the prompt and prints the answer.
   */
  type: "cli";
  /**
   * Program and arguments, run without a shell; `{model}` in an argument is replaced by the model name. The prompt goes to stdin.
   *
   * @minItems 1
   */
  command: [string, ...string[]];
  /**
   * How the program prints its answer: text (all of stdout) or json (see json_field).
   */
  output?: "text" | "json";
  /**
   * With output json: the field holding the answer (dot path).
   */
  json_field?: string;
  /**
   * Environment variables given to the command by name (e.g. the tool's own key), beyond the few every command gets (PATH, HOME, LANG, TMPDIR… see the README's Security model). Nothing else of orch's environment reaches it.
   */
  pass_env?: string[];
  /**
   * Most calls a day through this program (a subscription's allowance); past it the provider is passed over until the next day.
   */
  daily_call_cap?: number;
  max_concurrency?: MaxConcurrency;
  rpm?: RequestsPerMinute;
  tpm?: TokensPerMinute;
  timeout_seconds?: TimeoutSeconds;
  max_retries?: MaxRetries;
}
export interface ReplayProvider {
  /**
   * `replay`: answers from a recording made by `orch run --record`, for tests.
   */
  type: "replay";
  /**
   * JSONL recording written by `orch run --record`.
   */
  file: string;
  max_concurrency?: MaxConcurrency;
  timeout_seconds?: TimeoutSeconds;
}
/**
 * USD per million tokens. Overrides the bundled price table for this model.
 */
export interface Prices {
  /**
   * USD per million prompt tokens.
   */
  input: number;
  /**
   * USD per million output tokens (reasoning tokens included).
   */
  output: number;
  /**
   * USD per million prompt tokens read from the provider's cache (default: the input price).
   */
  cached_input?: number;
  /**
   * USD per million prompt tokens written to the cache for 5 minutes (Anthropic; default: 1.25 times the input price).
   */
  cache_write?: number;
  /**
   * USD per million prompt tokens written to the cache for 1 hour (Anthropic; default: 2 times the input price).
   */
  cache_write_1h?: number;
}
export interface Rule {
  /**
   * The rule's name, shown in routes and explanations.
   */
  name: string;
  /**
   * Why the rule exists, shown by `orch route --explain`.
   */
  description?: string;
  when?: Condition;
  escalate?: Chain1;
  /**
   * An ordered chain of models, the name of a tier, or `{ best_value: [models] }` to order models by past cost per success.
   */
  use: Chain | ("economy" | "standard" | "premium") | BestValue;
}
/**
 * All keys given must match. Combine with all / any / not.
 */
export interface Condition {
  task?: StringOrList;
  language?: StringOrList;
  quality?: StringOrList;
  step?: StringOrList;
  /**
   * One value, or a list of values of which any matches: `task: code`, `language: [python, go]`.
   */
  tags?: string | [string, ...string[]];
  /**
   * Matches steps marked sensitive (true) or not (false).
   */
  sensitive?: boolean;
  tokens?: Comparison;
  /**
   * Bands of estimated tokens: trivial <100, simple <1K, medium <10K, complex <50K, massive >=50K.
   */
  complexity?: Complexity | [Complexity, ...Complexity[]];
  /**
   * Money left in a budget scope (default: the smallest left of run, day and month).
   */
  budget_left_usd?: {
    /**
     * Which budget: run, day or month (default: the tightest of those with a limit).
     */
    scope?: "run" | "day" | "month" | "any";
    /**
     * Matches when less than this many USD are left.
     */
    lt?: number;
    /**
     * Matches when this many USD or fewer are left.
     */
    lte?: number;
    /**
     * Matches when more than this many USD are left.
     */
    gt?: number;
    /**
     * Matches when this many USD or more are left.
     */
    gte?: number;
  };
  /**
   * Matches when every condition in the list matches.
   *
   * @minItems 1
   */
  all?: [Condition, ...Condition[]];
  /**
   * Matches when at least one condition in the list matches.
   *
   * @minItems 1
   */
  any?: [Condition, ...Condition[]];
  not?: Condition;
}
/**
 * Estimated input tokens.
 */
export interface Comparison {
  /**
   * Matches when the value is less than this.
   */
  lt?: number;
  /**
   * Matches when the value is this or less.
   */
  lte?: number;
  /**
   * Matches when the value is greater than this.
   */
  gt?: number;
  /**
   * Matches when the value is this or greater.
   */
  gte?: number;
}
/**
 * Order these models by expected cost per successful call, learnt from settled calls of the same kind conditioned on what failed before (untried models start from broader figures, or 50%); after a rejection the remaining ones are ranked again.
 */
export interface BestValue {
  best_value: Chain;
  /**
   * What one accepted answer of this rule's requests is worth, in USD; overrides the policy's `value_usd`. Further attempts stop once none left is expected to be worth its cost.
   */
  value_usd?: number;
}
/**
 * Spending limits (run, day, month, per pipeline, per tag), alerts and what happens when they run out.
 */
export interface Budget {
  /**
   * Hard limit for one run.
   */
  run_usd?: number;
  /**
   * Hard limit per calendar day, across runs and projects of the database.
   */
  daily_usd?: number;
  /**
   * Hard limit per calendar month.
   */
  monthly_usd?: number;
  /**
   * Hard limits for one pipeline, by its `name:`, counted across its runs (and projects) in the user database, on top of the global limits.
   */
  per_pipeline?: {
    [k: string]: ScopedBudget;
  };
  /**
   * Hard limits for the steps carrying a tag (a step's `tags:`), on top of the global limits.
   */
  per_tag?: {
    [k: string]: ScopedBudget;
  };
  /**
   * The team whose shared budget this project spends, in a database several projects share (`--db postgres://…`). The team's own daily and monthly limits, and its caps per project, are stored in that database and set with `orch budget team set`, so every project reads the same figures. Needs a project name (`project`, else `name:` in orch.config.yaml).
   */
  team?: string;
  /**
   * This project's name in the database (default: `name:` in orch.config.yaml). Naming it (or a team) counts this project's real spend per day and month, and names its pipelines and tags `project/name` in the ledger, so two projects' `release-notes` pipelines never share a limit. Unique per database: two repositories with one project name are one project.
   */
  project?: string;
  /**
   * Hard limit per calendar day for this project (named by `project`, else by `name:` in orch.config.yaml); the team's limits apply on top.
   */
  project_daily_usd?: number;
  /**
   * Hard limit per calendar month for this project (named by `project`, else by `name:` in orch.config.yaml); the team's limits apply on top.
   */
  project_monthly_usd?: number;
  /**
   * IANA time zone for days and months (default: the zone fixed for the database by the first process that used it). With a `team`, it must equal the database's zone: one team has one calendar.
   */
  time_zone?: string;
  /**
   * Fractions of a limit at which an alert event is emitted.
   */
  alerts?: number[];
  /**
   * What to do when no model fits (budget spent, providers down): `local` uses the policy's local models, `defer` postpones the step (see `defer_for`), `fail` stops it. Default: fail.
   */
  when_exhausted?: "local" | "defer" | "fail";
  /**
   * With `when_exhausted: defer`: how long until the step is retried (default 1h).
   */
  defer_for?: string;
  /**
   * Emergency mode: when money left falls under this, only free providers (local, subscription) are used. A number applies to the smallest left of run, day and month; an object sets one threshold per scope.
   */
  emergency_below_usd?:
    | UsdLimit
    | {
        /**
         * An amount in USD, at most 1000000: orch counts money in whole nano-dollars, exactly, up to that size.
         */
        run?: number;
        /**
         * An amount in USD, at most 1000000: orch counts money in whole nano-dollars, exactly, up to that size.
         */
        day?: number;
        /**
         * An amount in USD, at most 1000000: orch counts money in whole nano-dollars, exactly, up to that size.
         */
        month?: number;
      };
}
/**
 * Daily and monthly hard limits for one pipeline or tag (same calendar as the global ones).
 */
export interface ScopedBudget {
  /**
   * Hard limit per calendar day.
   */
  daily_usd?: number;
  /**
   * Hard limit per calendar month.
   */
  monthly_usd?: number;
}
/**
 * Goals that `orch report` measures the recorded calls against and recommends from. They never change routing.
 */
export interface Targets {
  /**
   * Wanted share of calls made to local providers (Ollama, replay, mock), 0 to 1. Under it, the report recommends moving calls.
   */
  local_share?: number;
  /**
   * A model costing more than this per successful step on a task is compared with cheaper models on that task (default 0.01).
   */
  cost_per_success_usd?: number;
}
