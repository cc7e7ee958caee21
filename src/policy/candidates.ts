/**
 * Checks each model of a chain against the request and the state, and says why it is kept or
 * dropped. The checks run in a fixed order (the order of `CandidateCheck`); the first that fails
 * decides the note, so a user sees the most basic obstacle first (unknown, not local, unavailable,
 * cooling down) before any question of money.
 */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { budgetScopes } from "./budget-left.js";
import type {
  Candidate,
  CandidateCheck,
  CandidateNote,
  EmergencyMode,
  ModelPrices,
  ProviderState,
  RouteRequest,
  RoutingState,
} from "./decision.js";
import { nanoToUsd } from "../money/nano.js";
import { batchPrices, costRangeNano, modelPricesFromPolicy, type CacheWriteAllowance } from "../providers/pricing.js";
import { formatBalance, formatClock, formatCount, formatLimit, formatUsd, scopeWords } from "./format.js";
import { resolveModelReference, type ResolvedModel } from "./model-ref.js";

export interface AssessmentContext {
  request: RouteRequest;
  policy: RoutingPolicy;
  state: RoutingState;
  emergency: EmergencyMode | undefined;
}

/** One model of a chain after the checks: always a note, and a candidate when kept. */
export interface Assessment {
  note: CandidateNote;
  candidate?: Candidate;
}

/**
 * Assesses `references` in order. A model reached twice (an alias and its `provider:model`, or
 * listed twice) is noted once as a duplicate; `alreadyConsidered` holds targets seen before.
 */
export function assessChain(
  references: readonly string[],
  context: AssessmentContext,
  alreadyConsidered: ReadonlySet<string> = new Set(),
): Assessment[] {
  const seen = new Set(alreadyConsidered);
  return references.map((reference) => {
    const resolution = resolveModelReference(context.policy, reference);
    if (!resolution.ok) {
      const suggestion = resolution.suggestion ? ` (${resolution.suggestion})` : "";
      return dropped(reference, undefined, "unresolved", `${resolution.message}${suggestion}`);
    }
    const { provider, model } = resolution.model;
    const target = `${provider}:${model}`;
    if (seen.has(target)) return dropped(reference, target, "duplicate", `${target} is already listed earlier`);
    seen.add(target);
    return assessModel(reference, resolution.model, context);
  });
}

function assessModel(reference: string, resolved: ResolvedModel, context: AssessmentContext): Assessment {
  const { request, state, policy, emergency } = context;
  const { provider, model } = resolved;
  const target = `${provider}:${model}`;
  const providerState: ProviderState | undefined = state.providers[provider];

  if (!providerState) return dropped(reference, target, "unavailable", `provider "${provider}" was not checked for availability`);
  if (request.sensitive && !providerState.local) {
    return dropped(reference, target, "sensitive", `sensitive step, "${provider}" is not local`);
  }
  if (!providerState.available) {
    const why = providerState.reason ? ` — ${providerState.reason}` : "";
    return dropped(reference, target, "unavailable", `provider "${provider}" unavailable${why}`);
  }
  if (providerState.coolingDownUntil !== undefined && providerState.coolingDownUntil > state.now) {
    const until = formatClock(providerState.coolingDownUntil, policy.budget?.time_zone);
    return dropped(reference, target, "cooling-down", `cooling down until ${until} after repeated failures`);
  }

  const free = providerState.pricing !== "metered";
  const listed = state.pricesFor(provider, model) ?? (resolved.prices ? modelPricesFromPolicy(resolved.prices) : undefined);
  // A step that can wait goes to the provider's batch API: every token at half the price (pricing.ts).
  const batched = request.batch === true && providerState.batches === true && listed !== undefined;
  const prices = batched ? batchPrices(listed) : listed;
  if (!free && !prices) {
    return dropped(
      reference,
      target,
      "no-price",
      `no price known for ${target}, so its cost cannot be held against the budget; add prices: to the model in the policy`,
    );
  }
  if (resolved.contextWindow !== undefined && request.estimatedInputTokens > resolved.contextWindow) {
    return dropped(
      reference,
      target,
      "context-window",
      `${formatCount(request.estimatedInputTokens)} input tokens do not fit its ${formatCount(resolved.contextWindow)}-token context window`,
    );
  }

  const outputCap = Math.min(request.maxOutputTokens, resolved.maxOutputTokens ?? Number.POSITIVE_INFINITY);
  // The worst case holds whatever the tokenizer: the byte bound of the prompt, capped by the context
  // window (a longer prompt is refused by the API, unbilled), and every output token allowed.
  const worstInputTokens = Math.min(request.worstCaseInputTokens ?? request.estimatedInputTokens, resolved.contextWindow ?? Number.POSITIVE_INFINITY);
  // Cache writes count only where the provider makes them on request, and never beyond the prompt.
  const cacheWrites = providerState.writesPromptCache ? capWrites(request.cacheWrites, worstInputTokens) : undefined;
  const estimatedCostUsd = free || !prices ? { min: 0, max: 0 } : costRange(prices, request.estimatedInputTokens, outputCap, worstInputTokens, cacheWrites);
  const candidate: Candidate = {
    reference,
    provider,
    model,
    local: providerState.local,
    pricing: providerState.pricing,
    estimatedCostUsd,
    worstCaseTokens: { input: Math.max(request.estimatedInputTokens, worstInputTokens), output: outputCap, ...(cacheWrites ? { cacheWrites } : {}) },
    ...(resolved.contextWindow === undefined ? {} : { contextWindow: resolved.contextWindow }),
    // Free providers carry no prices, so nothing downstream can bill them by mistake.
    ...(prices && !free ? { prices } : {}),
  };

  if (free) return kept(candidate, target, `free (${providerState.pricing === "local" ? "local" : "subscription"})`);
  // Synthetic money (mock, replay) is held against the run only: the real day and month neither count it nor stop it.
  const synthetic = providerState.synthetic === true;
  if (emergency && !(synthetic && emergency.scope !== "run")) {
    return dropped(
      reference,
      target,
      "emergency",
      `emergency mode, ${formatBalance(emergency.leftUsd)} left ${scopeWords(emergency.scope)} is under ${formatLimit(emergency.thresholdUsd)}; only free providers (local, subscription) are used`,
    );
  }
  const worstCase = estimatedCostUsd.max;
  if (request.maxCostUsd !== undefined && worstCase > request.maxCostUsd) {
    return dropped(reference, target, "max-cost", `worst case ${formatUsd(worstCase)} exceeds step max_cost_usd ${formatLimit(request.maxCostUsd)}`);
  }
  const tightest = tightestScopeExceeded(worstCase, synthetic ? runScopeOnly(state.budgetLeftUsd) : state.budgetLeftUsd);
  if (tightest) {
    return dropped(reference, target, "budget", `worst case ${formatUsd(worstCase)} exceeds ${formatBalance(tightest.leftUsd)} left ${scopeWords(tightest.scope)}`);
  }
  return kept(candidate, target, `${formatUsd(estimatedCostUsd.min)}–${formatUsd(worstCase)}${batched ? " in a batch (50% of the price: the step can wait)" : ""}`);
}

/**
 * In USD, from the one price function: min, the estimated input alone (the answer could be empty);
 * max, the worst case: the input bound plus the full output cap, at the tier the bound falls into,
 * with the prompt-cache writes the call may ask for at their write price.
 */
export function costRange(
  prices: ModelPrices,
  inputTokens: number,
  outputTokens: number,
  worstInputTokens = inputTokens,
  cacheWrites: CacheWriteAllowance = {},
): { min: number; max: number } {
  const min = costRangeNano(prices, inputTokens, 0).min;
  const max = costRangeNano(prices, Math.max(inputTokens, worstInputTokens), outputTokens, cacheWrites).max;
  return { min: nanoToUsd(min), max: nanoToUsd(max) };
}

function capWrites(writes: CacheWriteAllowance | undefined, promptTokens: number): CacheWriteAllowance | undefined {
  if (writes === undefined) return undefined;
  const capped: CacheWriteAllowance = {};
  if (writes.cacheWriteTokens) capped.cacheWriteTokens = Math.min(writes.cacheWriteTokens, promptTokens);
  if (writes.cacheWrite1hTokens) capped.cacheWrite1hTokens = Math.min(writes.cacheWrite1hTokens, promptTokens);
  return Object.keys(capped).length === 0 ? undefined : capped;
}

function runScopeOnly(budgetLeftUsd: RoutingState["budgetLeftUsd"]): RoutingState["budgetLeftUsd"] {
  return budgetLeftUsd.run === undefined ? {} : { run: budgetLeftUsd.run };
}

/** Of the scopes the worst case does not fit in, the one with the least left. */
function tightestScopeExceeded(worstCase: number, budgetLeftUsd: RoutingState["budgetLeftUsd"]) {
  let tightest: { scope: (typeof budgetScopes)[number]; leftUsd: number } | undefined;
  for (const scope of budgetScopes) {
    const leftUsd = budgetLeftUsd[scope];
    if (leftUsd === undefined || worstCase <= leftUsd) continue;
    if (!tightest || leftUsd < tightest.leftUsd) tightest = { scope, leftUsd };
  }
  return tightest;
}

function dropped(reference: string, target: string | undefined, check: CandidateCheck, why: string): Assessment {
  return { note: { reference, kept: false, reason: `dropped: ${why}`, check, ...(target ? { target } : {}) } };
}

function kept(candidate: Candidate, target: string, why: string): Assessment {
  return { candidate, note: { reference: candidate.reference, kept: true, reason: `kept: ${why}`, check: "kept", target } };
}
