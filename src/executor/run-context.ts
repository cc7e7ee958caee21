/** What every step of a run shares. Built once by `runPipeline`, read by `runStep`. */
import type { StepResultWriter } from "../store/results-folder.js";
import type { Ledger } from "../budget/ledger.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { PipelineModel } from "../pipeline/model.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import type { ModelPrices, ProviderState } from "../policy/decision.js";
import type { Provider } from "../providers/provider.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { Redactor } from "../secrets/redact.js";
import type { AnswerCache } from "./cache.js";
import type { EarlierCalls } from "./earlier-calls.js";
import type { RunEvent } from "./events.js";
import type { RunLearning } from "./learning.js";
import type { ProviderHealth } from "./provider-health.js";

export interface ProviderLookup {
  get(id: string): Provider;
  /** What actually answers this provider's calls (type, endpoint, API version): part of the cache key. */
  answererOf(id: string): string;
}

export interface RunContext {
  runId: string;
  pipeline: PipelineModel;
  policy: RoutingPolicy;
  inputs: InputValues;
  /** Outputs of finished steps, read by downstream templates (skipped steps read as `{ output: "", skipped: true }`). */
  outputs: Map<string, UpstreamOutput>;
  stepExecutionIds: ReadonlyMap<string, number>;
  /** A resumed run's call rows from before this process, per step: they count in the step's figures. */
  earlierCalls: ReadonlyMap<string, EarlierCalls>;
  providers: ProviderLookup;
  providerStates: Readonly<Record<string, ProviderState>>;
  /** Consecutive failures per provider, for cool-downs. */
  health: ProviderHealth;
  /** Success estimates per model given what failed before, kept current while the run goes on (learning.ts). */
  learning: RunLearning;
  pricesFor(provider: string, model: string): ModelPrices | undefined;
  ledger: Ledger;
  /** The run log (its atomic writes), cache entries, resume bookkeeping, the call log, batches and calls in flight across processes. */
  store: Pick<OrchStore, "runs" | "cache" | "executions" | "callLog" | "batches" | "inFlight">;
  answers: AnswerCache;
  /** The attempt number to use next for a step (or one item of it); continues after a resumed run's. */
  nextAttempt(step: string, item: number | undefined): number;
  resultsDirectory: string;
  /** Writes `<step>.json` files off the step's path (see `createStepResultWriter`). */
  stepFiles: StepResultWriter;
  /** `<project>/.orch/staging/<run id>`: where outputs wait for their checks. */
  stagingRoot: string;
  /** orch's environment: validators get only its allowlisted part and what `pass_env` names. */
  environment: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  now(): Date;
  emit(event: RunEvent): void;
  /** Removes secret values (keys, tokens) from text before it is stored or shown (secrets/redact.ts). */
  redact: Redactor;
}
