/**
 * Prices in USD per million tokens, from the policy when it gives them, otherwise from
 * @pydantic/genai-prices (a maintained price table bundled with the package, so lookups work
 * offline and change only when the package is updated).
 */
import { calcPrice } from "@pydantic/genai-prices";
import type { Prices } from "../generated/routing-policy.js";
import type { ProviderType, TokenUsage } from "./provider.js";

export interface ModelPrices {
  input: number;
  output: number;
  /** Price of prompt tokens served from the provider's cache; the input price when absent. */
  cachedInput?: number;
  /**
   * Higher prices for long prompts (Gemini Pro above 200k tokens): when a call's prompt is larger
   * than `aboveInputTokens`, the whole call is billed at that tier, as the vendors bill it.
   */
  tiers?: PriceTier[];
  source: "policy" | "genai-prices";
}

export interface PriceTier {
  aboveInputTokens: number;
  input: number;
  output: number;
  cachedInput?: number;
}

/** genai-prices' provider ids; providers without one (ollama, cli, replay, mock) have no table price. */
const priceTableProviders: Partial<Record<ProviderType, string>> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "google",
  openrouter: "openrouter",
};

type TableValue = number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined;

function asTableValue(value: unknown): TableValue {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && typeof (value as { base?: unknown }).base === "number") {
    return value as { base: number; tiers: Array<{ start: number; price: number }> };
  }
  return undefined;
}

/** The per-million price of a table value for a prompt of `inputTokens` (genai-prices' rule: above a tier's start). */
function priceAt(value: TableValue, inputTokens: number): number | undefined {
  if (value === undefined || typeof value === "number") return value;
  let price = value.base;
  for (const tier of [...value.tiers].sort((a, b) => a.start - b.start)) if (inputTokens > tier.start) price = tier.price;
  return price;
}

function tableTierStarts(values: TableValue[]): number[] {
  const starts = new Set<number>();
  for (const value of values) if (typeof value === "object") for (const tier of value.tiers) starts.add(tier.start);
  return [...starts].sort((a, b) => a - b);
}

export function findPrices(providerType: ProviderType, model: string, policyPrices?: Prices): ModelPrices | undefined {
  if (policyPrices !== undefined) {
    return {
      input: policyPrices.input,
      output: policyPrices.output,
      ...(policyPrices.cached_input === undefined ? {} : { cachedInput: policyPrices.cached_input }),
      source: "policy",
    };
  }
  const providerId = priceTableProviders[providerType];
  if (providerId === undefined) return undefined;
  // A zero-token calculation is the package's public way to find the model and its current prices.
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId });
  if (found === null) return undefined;
  const input = asTableValue(found.model_price["input_mtok"]);
  const output = asTableValue(found.model_price["output_mtok"]);
  const cachedInput = asTableValue(found.model_price["cache_read_mtok"]);
  const base = { input: priceAt(input, 0), output: priceAt(output, 0), cachedInput: priceAt(cachedInput, 0) };
  if (base.input === undefined || base.output === undefined) return undefined;
  const tiers: PriceTier[] = [];
  for (const start of tableTierStarts([input, output, cachedInput])) {
    const above = start + 1;
    const cachedAbove = priceAt(cachedInput, above);
    tiers.push({
      aboveInputTokens: start,
      input: priceAt(input, above) ?? base.input,
      output: priceAt(output, above) ?? base.output,
      ...(cachedAbove === undefined ? {} : { cachedInput: cachedAbove }),
    });
  }
  return {
    input: base.input,
    output: base.output,
    ...(base.cachedInput === undefined ? {} : { cachedInput: base.cachedInput }),
    ...(tiers.length === 0 ? {} : { tiers }),
    source: "genai-prices",
  };
}

/**
 * USD for one call. Cached prompt tokens are part of `inputTokens` and billed once, at the cached
 * price; reasoning tokens are part of `outputTokens` and billed as output.
 */
export function costOfUsage(usage: TokenUsage, modelPrices: Pick<ModelPrices, "input" | "output" | "cachedInput" | "tiers">): number {
  const tier = modelPrices.tiers?.filter((candidate) => usage.inputTokens > candidate.aboveInputTokens).at(-1);
  const prices = tier ?? modelPrices;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const micros = uncached * prices.input + cached * (prices.cachedInput ?? prices.input) + usage.outputTokens * prices.output;
  // Rounded to a billionth of a cent to drop binary floating-point noise from sums of products.
  return Math.round((micros / 1_000_000) * 1e11) / 1e11;
}
