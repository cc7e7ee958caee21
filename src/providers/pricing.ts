/**
 * The one price function. Every figure orch shows or counts — a candidate's cost range, the worst
 * case a reservation holds, the bill a call settles, `plan`'s totals — comes from `priceUsageNano`,
 * the only place a price is multiplied by a token count.
 *
 * Rules (also in the README's "Budgets and pricing"):
 * - Prices are USD per million tokens. The arithmetic is exact: each price is read as the decimal it
 *   is written as, products are summed as integers, and the total is rounded UP once, to a whole
 *   nano-dollar (1e-9 USD).
 * - A tier (Gemini Pro, Claude Sonnet above 200k prompt tokens) applies to the whole call once the
 *   prompt (`inputTokens`, cached and cache-written tokens included) is larger than its start.
 * - `inputTokens` is the whole prompt. Of it, cache reads are billed at the cached price, cache writes
 *   at the 5-minute or 1-hour write price, the rest at the input price. Reasoning tokens are part of
 *   `outputTokens` and billed as output.
 * - Without a listed write price, Anthropic's documented multipliers apply: 1.25× the input price for
 *   a 5-minute write, 2× for a 1-hour write. Without a cached price, reads cost the input price.
 * - A cost the provider reports (OpenRouter's `usage.cost`, plus the upstream cost of a BYOK call)
 *   is the bill; the price table then only sets the reservation.
 *
 * Pure: no I/O, no price table (that is `price-table.ts`), so the policy engine may import it.
 */
import { ceilDivide, exactDecimal, safeNano, usdToNano, type ExactDecimal } from "../money/nano.js";
import type { Prices } from "../generated/routing-policy.js";
import type { TokenUsage } from "./provider.js";

/** USD per million tokens, for one model. */
export interface ModelPrices extends TierPrices {
  /**
   * Higher prices for long prompts: when a call's prompt is larger than `aboveInputTokens`, the
   * whole call is billed at that tier, as the vendors bill it.
   */
  tiers?: PriceTier[];
  source?: "policy" | "genai-prices";
}

export interface TierPrices {
  input: number;
  output: number;
  /** Prompt tokens served from the provider's cache; the input price when absent. */
  cachedInput?: number;
  /** Prompt tokens written to the cache for 5 minutes; 1.25× input when absent. */
  cacheWrite?: number;
  /** Prompt tokens written to the cache for 1 hour; 2× input when absent. */
  cacheWrite1h?: number;
}

export interface PriceTier extends TierPrices {
  aboveInputTokens: number;
}

/** The policy's `prices:` (snake_case, as written) in the shape the price function reads. */
export function modelPricesFromPolicy(prices: Prices): ModelPrices {
  return {
    input: prices.input,
    output: prices.output,
    ...(prices.cached_input === undefined ? {} : { cachedInput: prices.cached_input }),
    ...(prices.cache_write === undefined ? {} : { cacheWrite: prices.cache_write }),
    ...(prices.cache_write_1h === undefined ? {} : { cacheWrite1h: prices.cache_write_1h }),
    source: "policy",
  };
}

/** The prices that apply to a call whose prompt has `inputTokens` tokens. */
export function pricesAt(prices: ModelPrices, inputTokens: number): TierPrices {
  let applied: TierPrices = prices;
  for (const tier of [...(prices.tiers ?? [])].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens)) {
    if (inputTokens > tier.aboveInputTokens) applied = tier;
  }
  return applied;
}

/** A token count as a bigint: a fraction is a whole token, a missing, negative or NaN count none; no count is infinite. */
function tokens(count: number | undefined): bigint {
  if (count === Number.POSITIVE_INFINITY) throw new RangeError("an infinite token count has no price");
  return count !== undefined && Number.isFinite(count) && count > 0 ? BigInt(Math.ceil(count)) : 0n;
}

function times(price: ExactDecimal, factor: bigint, factorScale: number): ExactDecimal {
  return { units: price.units * factor, scale: price.scale + factorScale };
}

/**
 * Nano-dollars for one call's usage at `prices`: exact, rounded up once. Parts of the prompt that
 * overlap (reads plus writes reported above the prompt) are capped so no token is billed twice.
 */
export function priceUsageNano(usage: TokenUsage, prices: ModelPrices): number {
  const tier = pricesAt(prices, usage.inputTokens);
  const input = exactDecimal(tier.input);
  let left = tokens(usage.inputTokens);
  const take = (count: number | undefined): bigint => {
    const taken = tokens(count) < left ? tokens(count) : left;
    left -= taken;
    return taken;
  };
  const cached = take(usage.cachedInputTokens);
  const written1h = take(usage.cacheWrite1hTokens);
  const written = take(usage.cacheWriteTokens);
  const terms: Array<[bigint, ExactDecimal]> = [
    [cached, tier.cachedInput === undefined ? input : exactDecimal(tier.cachedInput)],
    [written1h, tier.cacheWrite1h === undefined ? times(input, 2n, 0) : exactDecimal(tier.cacheWrite1h)],
    [written, tier.cacheWrite === undefined ? times(input, 125n, 2) : exactDecimal(tier.cacheWrite)],
    [left, input],
    [tokens(usage.outputTokens), exactDecimal(tier.output)],
  ];
  const scale = Math.max(...terms.map(([, price]) => price.scale));
  // Σ tokens × price (USD per 1e6 tokens) × 1e9 nano per USD = Σ tokens × price × 1e3 nano.
  const numerator = terms.reduce((sum, [count, price]) => sum + count * price.units * 10n ** BigInt(scale - price.scale), 0n) * 1000n;
  return safeNano(ceilDivide(numerator, 10n ** BigInt(scale)));
}

/**
 * What a call is billed, in nano-dollars: the provider's own reported cost when it gives one,
 * otherwise its usage at `prices`; nothing for a call with neither (local, subscription).
 */
export function billNano(usage: TokenUsage, prices: ModelPrices | undefined, reportedCostUsd?: number): number {
  if (reportedCostUsd !== undefined) return usdToNano(reportedCostUsd);
  return prices === undefined ? 0 : priceUsageNano(usage, prices);
}

/**
 * What the provider's prompt cache saved on one call, in nano-dollars: the call priced as if no token
 * had been read from or written to the cache, minus its bill. Reads save (input − cached price);
 * writes cost (write − input price) more, so a call that only wrote has a negative saving.
 */
export function promptCacheSavingNano(usage: TokenUsage, prices: ModelPrices): number {
  const { cachedInputTokens: _read, cacheWriteTokens: _written, cacheWrite1hTokens: _written1h, ...uncached } = usage;
  return priceUsageNano(uncached, prices) - priceUsageNano(usage, prices);
}

/** Prompt tokens a call may write to the provider's cache, by lifetime (subsets of its prompt). */
export interface CacheWriteAllowance {
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
}

/**
 * A candidate's cost range before a call, in nano-dollars. `min`: the prompt alone (the answer could
 * be empty). `max`, the worst case a reservation holds: the prompt plus the full output cap, at the
 * tier the prompt falls into — exactly what `priceUsageNano` bills for that usage. When orch asks the
 * provider to cache the prompt's stable prefix (Anthropic's `cache_control`), `writes` are the
 * prefix's tokens, held at the write price (1.25× or 2× input), which is above the input price: a
 * call that writes, reads or does neither costs at most that.
 */
export function costRangeNano(prices: ModelPrices, inputTokens: number, outputCap: number, writes: CacheWriteAllowance = {}): { min: number; max: number } {
  return {
    min: priceUsageNano({ inputTokens, outputTokens: 0 }, prices),
    max: priceUsageNano({ inputTokens, outputTokens: outputCap, ...writes }, prices),
  };
}

/**
 * The vendors' batch APIs bill every token (input, cache reads and writes, output) at half the
 * synchronous price: OpenAI's Batch API (help.openai.com/en/articles/9197833, "50% cost discount"),
 * Anthropic's Message Batches ("all usage is charged at 50% of the standard API prices",
 * platform.claude.com/docs/en/build-with-claude/batch-processing) and Gemini's batch mode. Halving a
 * binary float is exact, so the halved prices are read as exactly the decimals they are.
 */
export function batchPrices(prices: ModelPrices): ModelPrices {
  return scalePrices(prices, 0.5);
}

/** The synchronous prices of batch prices (a batch call that falls back to an ordinary one): exact, as halving was. */
export function unbatchedPrices(prices: ModelPrices): ModelPrices {
  return scalePrices(prices, 2);
}

/** Every price times a power of two (exact in binary floating point). */
function scalePrices(prices: ModelPrices, factor: 0.5 | 2): ModelPrices {
  const scale = (tier: TierPrices): TierPrices => ({
    input: tier.input * factor,
    output: tier.output * factor,
    ...(tier.cachedInput === undefined ? {} : { cachedInput: tier.cachedInput * factor }),
    // Unlisted write prices stay unlisted: their multipliers (1.25×, 2×) then apply to the scaled input price.
    ...(tier.cacheWrite === undefined ? {} : { cacheWrite: tier.cacheWrite * factor }),
    ...(tier.cacheWrite1h === undefined ? {} : { cacheWrite1h: tier.cacheWrite1h * factor }),
  });
  return { ...prices, ...scale(prices), ...(prices.tiers === undefined ? {} : { tiers: prices.tiers.map((tier) => ({ ...scale(tier), aboveInputTokens: tier.aboveInputTokens })) }) };
}
