/** Flags several commands share, described once so every `--help` says the same thing about them. */
import type { FlagSpec } from "./arguments.js";

export const policyFlag = {
  type: "string",
  placeholder: "FILE",
  description: "routing policy to use",
  defaultText: "ORCH_POLICY, else the pipeline's policy:, else orch.config.yaml policy, else routing-policies/default.yaml",
} as const satisfies FlagSpec;

export const databaseFlag = {
  type: "string",
  placeholder: "FILE|URL",
  description: "the store of runs, ledger and cache: a SQLite file or a postgres:// URL",
  defaultText: "ORCH_DB, else orch.config.yaml database, else $ORCH_HOME/orch.db, else ~/.orch/orch.db",
} as const satisfies FlagSpec;

export const jsonFlag = { type: "boolean", description: "print JSON instead of text" } as const satisfies FlagSpec;

export const setFlag = { type: "string", multiple: true, placeholder: "name=value", description: "give a pipeline input a value (repeatable)" } as const satisfies FlagSpec;

export const concurrencyFlag = { type: "string", placeholder: "N", description: "steps and items run at once", defaultText: "the pipeline's concurrency:, else 4" } as const satisfies FlagSpec;

export const resultsFlag = {
  type: "string",
  placeholder: "DIR",
  description: "folder of the per-run result folders",
  defaultText: "orch.config.yaml results, else .orch/results",
} as const satisfies FlagSpec;

export const noCacheFlag = { type: "boolean", description: "ask the models again instead of reusing cached answers" } as const satisfies FlagSpec;

export const sinceFlag = { type: "string", placeholder: "DURATION", description: "only what started within this duration (12h, 7d, 1d12h)" } as const satisfies FlagSpec;
export const fromFlag = { type: "string", placeholder: "YYYY-MM-DD", description: "first day of the window (with --to)" } as const satisfies FlagSpec;
export const toFlag = { type: "string", placeholder: "YYYY-MM-DD", description: "last day of the window (with --from)" } as const satisfies FlagSpec;
export const runFilterFlag = { type: "string", placeholder: "ID", description: "only this run" } as const satisfies FlagSpec;
export const pipelineFilterFlag = { type: "string", placeholder: "NAME", description: "only this pipeline" } as const satisfies FlagSpec;
