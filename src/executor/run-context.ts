/** What every step of a run shares. Built once by `runPipeline`, read by `runStep`. */
import type { Ledger } from "../budget/ledger.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import type { PipelineModel } from "../pipeline/model.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import type { ModelHistory, ModelPrices, ProviderState } from "../policy/decision.js";
import type { Provider } from "../providers/provider.js";
import type { RunRepository } from "../store/run-repository.js";
import type { RunEvent } from "./events.js";
import type { ProviderHealth } from "./provider-health.js";

export interface ProviderLookup {
  get(id: string): Provider;
}

export interface RunContext {
  runId: string;
  pipeline: PipelineModel;
  policy: RoutingPolicy;
  inputs: Record<string, string | number | boolean>;
  /** Outputs of finished steps, read by downstream templates. */
  outputs: Map<string, UpstreamOutput>;
  stepExecutionIds: ReadonlyMap<string, number>;
  providers: ProviderLookup;
  providerStates: Readonly<Record<string, ProviderState>>;
  /** Consecutive failures per provider, for cool-downs. */
  health: ProviderHealth;
  /** Past calls per model and task type, for best-value rules. */
  history: readonly ModelHistory[];
  pricesFor(provider: string, model: string): ModelPrices | undefined;
  ledger: Ledger;
  runs: RunRepository;
  resultsDirectory: string;
  signal: AbortSignal;
  now(): Date;
  emit(event: RunEvent): void;
  /** Removes secret values (API keys) from text before it is stored or shown. */
  redact(text: string): string;
}
