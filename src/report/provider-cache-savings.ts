/**
 * What the vendors' own prompt caches saved over the window: each call made stored, when it was
 * paid for, what its cache reads saved against the input price minus what its cache writes cost
 * above it (pricing.ts `promptCacheSavingNano`), so the figure is summed here, never repriced.
 * orch's answer cache (cache-savings.ts) saves whole calls; this saves part of a prompt.
 */
import { nanoToUsd } from "../money/nano.js";
import type { CallFact } from "./call-facts.js";
import type { ProviderCacheFigures } from "./report-model.js";

export function providerCacheFigures(facts: readonly CallFact[]): ProviderCacheFigures {
  const made = facts.filter((fact) => fact.made);
  return {
    callsReading: made.filter((fact) => fact.row.cachedInputTokens > 0).length,
    callsWriting: made.filter((fact) => fact.row.cacheWriteTokens > 0).length,
    cachedInputTokens: made.reduce((sum, fact) => sum + fact.row.cachedInputTokens, 0),
    cacheWriteTokens: made.reduce((sum, fact) => sum + fact.row.cacheWriteTokens, 0),
    savedUsd: nanoToUsd(made.reduce((sum, fact) => sum + fact.row.providerCacheSavedNano, 0)),
  };
}
