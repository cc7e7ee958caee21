/**
 * The routing contract: what the policy engine is asked, what it knows, and what it answers.
 * The engine is pure: everything it needs (budget left, provider availability, prices, history)
 * arrives in `RoutingState`; nothing here does I/O.
 */
import type { RefusableParameter } from "../providers/model-capabilities.js";
import type { CacheWriteAllowance, ModelPrices } from "../providers/pricing.js";
import type { PricingMode } from "../providers/provider.js";
import type { EstimateLevel, SuccessEstimator } from "./success-estimates.js";

export type { ModelPrices };

export type QualityTier = "economy" | "standard" | "premium";
export type BudgetScope = "run" | "day" | "month";
export type Complexity = "trivial" | "simple" | "medium" | "complex" | "massive";

export interface RouteRequest {
  step: string;
  pipeline?: string;
  task: string;
  language?: string;
  quality: QualityTier;
  /** Input tokens estimated with a real tokenizer before the call. */
  estimatedInputTokens: number;
  /**
   * A bound no vendor's count of this prompt can pass (see `inputTokenBound`); the worst case, and so
   * the reservation, is priced at it. Absent (a request described by numbers only): the estimate.
   */
  worstCaseInputTokens?: number;
  /** The call's output cap; the worst case of a reservation. */
  maxOutputTokens: number;
  /**
   * Prompt tokens the call may ask a provider to write to its prompt cache (the bound of the stable
   * prefix, by lifetime). A candidate whose provider writes on request (`ProviderState.writesPromptCache`)
   * holds them at the write price in its worst case.
   */
  cacheWrites?: CacheWriteAllowance;
  /** The step can wait (`batch:`): a provider with a batch API (`ProviderState.batches`) is priced at its batch prices, half. */
  batch?: boolean;
  sensitive: boolean;
  tags: readonly string[];
  /** A model pinned by the step (`model:`), bypassing rules and tiers. */
  pinnedModel?: string;
  /** Per-call cost ceiling from the step. */
  maxCostUsd?: number;
  /** The step's temperature, so the explanation can say where a model will not take it. */
  temperature?: number;
}

export interface ProviderState {
  available: boolean;
  /** Why it is unavailable, in words a user can act on. */
  reason?: string;
  local: boolean;
  pricing: PricingMode;
  /**
   * Answers without a real model (mock, replay): its cost is synthetic money, held against the
   * run's budget only — never the real day or month, which it neither uses up nor is stopped by.
   */
  synthetic?: boolean;
  /** Epoch ms until which the provider is skipped after repeated failures. */
  coolingDownUntil?: number;
  /** The provider writes its prompt cache when a request marks a prefix (Anthropic's `cache_control`), at a premium over input. */
  writesPromptCache?: boolean;
  /** The provider offers the vendor's batch API (half price, answered within hours) to steps that can wait. */
  batches?: boolean;
}

/** Past results of one model on one task type, for `best-value` choices. */
export interface ModelHistory {
  reference: string;
  task: string;
  calls: number;
  successes: number;
  averageCostUsd: number;
  averageLatencyMs: number;
}

export interface RoutingState {
  now: number;
  /** Money left per scope; a scope without a limit is absent. */
  budgetLeftUsd: Partial<Record<BudgetScope, number>>;
  /** By provider id (the key under `providers:` in the policy). */
  providers: Readonly<Record<string, ProviderState>>;
  /** Aggregated past results (context unknown): used only when `estimates` is absent. */
  history?: readonly ModelHistory[];
  /** Success estimates learnt from settled calls, conditioned on what failed before (success-estimates.ts). */
  estimates?: SuccessEstimator;
  /** Price lookup (policy override, then the price table); undefined when unknown. */
  pricesFor(provider: string, model: string): ModelPrices | undefined;
}

export interface Candidate {
  /** As written in the policy: an alias or `provider:model`. */
  reference: string;
  provider: string;
  model: string;
  local: boolean;
  pricing: PricingMode;
  prices?: ModelPrices;
  /** min: input only (the answer could be empty); max: input plus the full output cap. */
  estimatedCostUsd: { min: number; max: number };
  /** The usage `estimatedCostUsd.max` prices: the prompt's bound, the output cap, and the cache writes it may ask for. */
  worstCaseTokens: { input: number; output: number; cacheWrites?: CacheWriteAllowance };
  /** The model's `context_window` from the policy, when it gives one. */
  contextWindow?: number;
}

export interface CandidateNote {
  reference: string;
  kept: boolean;
  /** A sentence: why it was kept or dropped (budget, sensitivity, availability, history). */
  reason: string;
  /** `provider:model` the reference resolved to (absent when it did not resolve). */
  target?: string;
  /** The check that decided, for programs and tests; `reason` is the sentence for people. */
  check?: CandidateCheck;
  /** The figures a best-value rule used for this candidate. */
  bestValue?: BestValueFigures;
  /** Request parameters the model refuses, which its provider will leave out of the call. */
  droppedParameters?: RefusableParameter[];
}

/** Which check kept or dropped a candidate, in the order the checks run. */
export type CandidateCheck =
  /** The reference names no alias or configured provider. */
  | "unresolved"
  /** Listed earlier in the same chain. */
  | "duplicate"
  /** A sensitive step and a provider whose data leaves the machine. */
  | "sensitive"
  /** No key, server down, model not pulled, daily cap reached. */
  | "unavailable"
  /** Skipped for a while after repeated failures. */
  | "cooling-down"
  /** A metered model without a known price: its cost cannot be held against a budget. */
  | "no-price"
  /** The estimated input does not fit the model's context window. */
  | "context-window"
  /** Emergency mode: money left is under the policy's threshold, so only free providers are used. */
  | "emergency"
  /** The worst case is above the step's `max_cost_usd`. */
  | "max-cost"
  /** The worst case is above what is left in a budget scope. */
  | "budget"
  /** Passed every check. */
  | "kept";

/** What a `best_value` rule computed for one candidate. */
export interface BestValueFigures {
  /** Calls and successes of the narrowest level of history that had any (0 when untried). */
  calls: number;
  successes: number;
  /** The estimated probability of an accepted answer, shrunk toward broader figures (50% for an untried model). */
  successRate: number;
  /** Which level of history `calls` and `successes` come from. */
  basis: EstimateLevel;
  /** Average cost of a past call, or (untried) the midpoint of this call's estimated cost range. */
  costUsd: number;
  costSource: "history" | "price";
  /** costUsd / successRate: what one successful call is expected to cost. Lowest goes first. */
  expectedCostPerSuccessUsd: number;
}

/** One rule looked at while choosing the chain, and why it matched or not. */
export interface RuleCheck {
  rule: string;
  matched: boolean;
  /** The clause that decided, e.g. `task is "code"` or `$3.00 left today is not > $5`. */
  reason: string;
}

/** Emergency mode: a budget scope whose money left fell under the policy's threshold. */
export interface EmergencyMode {
  scope: BudgetScope;
  leftUsd: number;
  thresholdUsd: number;
}

export type ExhaustedAction = "local" | "defer" | "fail";

export interface Decision {
  /** The rule that matched (its name), `pinned`, or `tier:<name>` when no rule matched. */
  matched: string;
  /** Candidates to try, in order. */
  candidates: Candidate[];
  /** One note per candidate considered, kept or dropped. */
  notes: CandidateNote[];
  /** When no candidate is left: what the policy says to do. */
  exhausted?: { action: ExhaustedAction; retryAfterMs?: number; reason: string };
  /** Rules checked in order, up to and including the one that matched. */
  rules?: RuleCheck[];
  /** How the chain was ordered: as written, or by expected cost per success. */
  strategy?: "chain" | "best-value";
  /** The tier whose chain was used (a rule's `use: <tier>`, or no rule matched). */
  tier?: QualityTier;
  /** The band of the request's estimated input tokens. */
  complexity?: Complexity;
  /** Set when emergency mode was on for this decision. */
  emergency?: EmergencyMode;
  /** What an accepted answer is worth (the rule's or the policy's `value_usd`): further attempts stop when not worth their cost. */
  valueUsd?: number;
}
