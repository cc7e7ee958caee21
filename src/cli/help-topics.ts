/** `orch help <topic>`: texts that belong to no single command. Loaded only when a topic is asked for. */

export interface HelpTopic {
  summary: string;
  text: string;
}

const exitCodes = `exit codes (every command)

  0    success
  1    a step failed (its dependents are skipped); \`orch providers\`: a provider the policy needs is
       unusable; \`orch policy test\`: a case routed otherwise than expected
  2    invalid configuration or usage: nothing was run, nothing was written, nothing was paid
  3    stopped by the budget, a step was deferred, or a call overran its reservation;
       \`orch budget\`: the current run, day or month holds an overrun
  130  interrupted (Ctrl-C); a second Ctrl-C exits at once

A run with both a failed step and a step stopped by the budget exits 1. A for_each step whose
failed items stay within its allow_failures succeeds (exit 0) and says how many failed.`;

const config = `configuration files

  orch.config.yaml      project settings, found by walking up from the working directory
                        (schema: schemas/project-settings.schema.json)
    version: 1
    policy: routing-policies/default.yaml   default policy       (ORCH_POLICY, --policy win)
    database: .orch/orch.db                 ledger, history, cache: a file or postgres:// URL (--db, ORCH_DB win; default $ORCH_HOME/orch.db)
    results: .orch/results                  result folders        (--results wins)
    env_files: [.env]                       NAME=value files read into the environment

  pipelines/*.yaml      steps, inputs, defaults (schema: schemas/pipeline.schema.json)
  routing-policies/*.yaml  providers, models, tiers, rules, budget (schema: schemas/routing-policy.schema.json)

Precedence, strongest first:
  policy    --policy > ORCH_POLICY > the pipeline's policy: > orch.config.yaml policy > routing-policies/default.yaml
  database  --db > ORCH_DB > orch.config.yaml database > $ORCH_HOME/orch.db > ~/.orch/orch.db (a file or a postgres:// URL)
  results   --results > orch.config.yaml results > .orch/results
  variables the real environment > env files (later over earlier; default: .env of the project root, then of the working directory)

In a policy, \${VAR} is replaced by the variable's value (an error when it is unset) and
\${VAR:-default} by the default when VAR is unset or empty.

Environment: ORCH_POLICY, ORCH_DB, ORCH_HOME, ORCH_DEBUG=1 (stack traces), NO_COLOR, FORCE_COLOR, CI (plain lines),
GITHUB_ACTIONS=true (error annotations; with GITHUB_STEP_SUMMARY, a Markdown summary of each run).
Start a YAML file with "# yaml-language-server: $schema=<path to the schema>" for completion in editors.`;

const templates = `templates (prompts, system prompts, output file names)

Templates use eta's tags but are data, never compiled to code:
  <%= expression %>                       print a value (lists and objects as JSON)
  <% for (const x of list) { %> … <% } %>  loop
  <% if (cond) { %> … <% } else { %> … <% } %>

What they read:
  it.inputs.<name>             a declared input (--set name=value)
  it.steps.<upstream>.output   an upstream step's answer (.json for format: json; .outputs, .items for for_each)
  it.context                   the step's context files: a list of { file, content }
  it.step, it.pipeline         names
  it.item, it.index            in a for_each step: the item and its position from 0
  it.file                      for for_each: { glob }: { path, content }
  it.item.<column>             for for_each: { rows: FILE }: one row of a CSV, JSONL or JSON file, as an object

orch validate checks what a template reads at its file:line:column: a step that is not upstream, an
undeclared input, it.item outside for_each, a column a CSV file does not have.

Validator commands (output.validate) get {output} or {file} (the answer's file), {provider}, {model},
{item} (the item as text, JSON for objects) and {item_index}, and the environment variables
ORCH_PROVIDER, ORCH_MODEL and ORCH_ITEM_INDEX.`;

export const helpTopics: Record<string, HelpTopic> = {
  "exit-codes": { summary: "what each exit code means", text: exitCodes },
  config: { summary: "project settings, pipelines, policies, precedence, environment variables", text: config },
  templates: { summary: "the template language and what a template can read", text: templates },
};
