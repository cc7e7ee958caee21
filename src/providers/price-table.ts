/**
 * Prices in USD per million tokens, from the policy when it gives them, otherwise from
 * @pydantic/genai-prices (a maintained price table bundled with the package, so lookups work
 * offline and change only when the package is updated). Pricing a call is `pricing.ts`'s job.
 */
import { createRequire } from "node:module";
import type { calcPrice as CalcPrice } from "@pydantic/genai-prices";
import type { Prices } from "../generated/routing-policy.js";
import { modelPricesFromPolicy, type ModelPrices, type PriceTier, type TierPrices } from "./pricing.js";
import type { ProviderType } from "./provider.js";

/** genai-prices' provider ids; providers without one (ollama, cli, replay, mock) have no table price. */
const priceTableProviders: Partial<Record<ProviderType, string>> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "google",
  openrouter: "openrouter",
};

type TableValue = number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined;

/**
 * The table's fields for each of our prices. The table lists Anthropic's 1-hour cache-write price
 * (`cache_write_1h_mtok`); where it does not, `pricing.ts` applies Anthropic's documented 2× input.
 */
const tableFields = {
  input: "input_mtok",
  output: "output_mtok",
  cachedInput: "cache_read_mtok",
  cacheWrite: "cache_write_mtok",
  cacheWrite1h: "cache_write_1h_mtok",
} as const satisfies Record<keyof TierPrices, string>;

type PriceName = keyof typeof tableFields;
const priceNames = Object.keys(tableFields) as PriceName[];

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

/** Every price the table lists for a prompt of `inputTokens`; undefined without input and output prices. */
function tierPricesAt(values: Record<PriceName, TableValue>, inputTokens: number): TierPrices | undefined {
  const input = priceAt(values.input, inputTokens);
  const output = priceAt(values.output, inputTokens);
  if (input === undefined || output === undefined) return undefined;
  const prices: TierPrices = { input, output };
  for (const name of ["cachedInput", "cacheWrite", "cacheWrite1h"] as const) {
    const price = priceAt(values[name], inputTokens);
    if (price !== undefined) prices[name] = price;
  }
  return prices;
}

let calcPrice: typeof CalcPrice | undefined;

/**
 * The price table loads on first use: a policy that prices its own models (the quickstart's, any
 * offline one) never needs it, and importing it was an eighth of `orch plan`'s start-up (issue 11).
 * The package ships CommonJS, so a synchronous `require` keeps `findPrices` synchronous.
 */
function priceTable(): typeof CalcPrice {
  calcPrice ??= (createRequire(import.meta.url)("@pydantic/genai-prices") as { calcPrice: typeof CalcPrice }).calcPrice;
  return calcPrice;
}

export function findPrices(providerType: ProviderType, model: string, policyPrices?: Prices): ModelPrices | undefined {
  if (policyPrices !== undefined) return modelPricesFromPolicy(policyPrices);
  const providerId = priceTableProviders[providerType];
  if (providerId === undefined) return undefined;
  // A zero-token calculation is the package's public way to find the model and its current prices.
  const found = priceTable()({ input_tokens: 0, output_tokens: 0 }, model, { providerId });
  if (found === null) return undefined;
  const values = Object.fromEntries(priceNames.map((name) => [name, asTableValue(found.model_price[tableFields[name]])])) as Record<PriceName, TableValue>;
  const base = tierPricesAt(values, 0);
  if (base === undefined) return undefined;
  const tiers: PriceTier[] = [];
  for (const start of tableTierStarts(Object.values(values))) {
    const above = tierPricesAt(values, start + 1);
    if (above !== undefined) tiers.push({ aboveInputTokens: start, ...above });
  }
  return { ...base, ...(tiers.length === 0 ? {} : { tiers }), source: "genai-prices" };
}
