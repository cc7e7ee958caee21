/** Money as the ledger counts it: whole nano-dollars, so sums are exact and rounding never helps a limit. */
const nanoPerUsd = 1_000_000_000;

/** Rounds up: a reservation or a cost is never counted lower than it is. */
export function usdToNano(usd: number): number {
  return Math.ceil(usd * nanoPerUsd - 1e-6);
}

export function nanoToUsd(nano: number): number {
  return nano / nanoPerUsd;
}

/** Dollars with enough digits to see sub-cent LLM costs: $0.0042, $1.20, $12.35. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "0.00";
  if (Math.abs(usd) >= 1) return usd.toFixed(2);
  if (Math.abs(usd) >= 0.01) return usd.toFixed(4);
  return usd.toFixed(6);
}
