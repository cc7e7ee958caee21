/**
 * Money as orch counts it: whole nano-dollars (1e-9 USD) in safe integers, so sums are exact and a
 * rounding never helps a limit. Conversions go through the exact decimal a number prints as
 * (`String(0.15)` is "0.15"), never through a binary floating-point product.
 *
 * This module imports nothing of orch, so the policy engine, the providers' pricing and the ledger
 * can all use it.
 */

const nanoPerUsd = 1_000_000_000n;

/** Largest amount the ledger counts: the largest safe integer of nano-dollars (about $9,007,199). */
export const maxNano = Number.MAX_SAFE_INTEGER;

/** A non-negative decimal, exactly: `units / 10^scale`. */
export interface ExactDecimal {
  units: bigint;
  scale: number;
}

/**
 * The exact decimal that a finite, non-negative number prints as (its shortest round-trip form).
 * Throws a RangeError for anything else: such a value is never an amount or a price.
 */
export function exactDecimal(value: number): ExactDecimal {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${String(value)} is not a finite, non-negative amount`);
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`${String(value)} is not a decimal number`);
  const [, whole = "0", fraction = "", exponent = "0"] = match;
  const scale = fraction.length - Number(exponent);
  const units = BigInt(whole + fraction);
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** `numerator / denominator`, rounded up (both non-negative). */
export function ceilDivide(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/** A bigint count of nano-dollars as a number, or a RangeError when it is past what is counted exactly. */
export function safeNano(nano: bigint): number {
  if (nano > BigInt(maxNano)) throw new RangeError(`$${nano / nanoPerUsd} is past the largest amount orch counts (about $9,007,199)`);
  return Number(nano);
}

/**
 * USD → nano-dollars, rounded up: an amount is never counted lower than it is. A remainder below a
 * millionth of a nano-dollar is the binary noise of a sum (0.1 + 0.2 prints as 0.30000000000000004)
 * and is dropped rather than rounded up to a whole nano-dollar.
 */
export function usdToNano(usd: number): number {
  const { units, scale } = exactDecimal(usd);
  const denominator = 10n ** BigInt(scale);
  const scaled = units * nanoPerUsd;
  const whole = scaled / denominator;
  const remainder = scaled % denominator;
  const noise = remainder * 1_000_000n < denominator;
  return safeNano(noise ? whole : whole + 1n);
}

/** The sum of two USD amounts, added as exact decimals (0.1 + 0.2 is 0.3, not 0.30000000000000004). */
export function addUsd(first: number, second: number): number {
  const a = exactDecimal(first);
  const b = exactDecimal(second);
  const scale = Math.max(a.scale, b.scale);
  const units = a.units * 10n ** BigInt(scale - a.scale) + b.units * 10n ** BigInt(scale - b.scale);
  const digits = units.toString().padStart(scale + 1, "0");
  return Number(scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}

/** Nano-dollars → USD. Exact for amounts under $1,000,000 (15 significant digits print back unchanged). */
export function nanoToUsd(nano: number): number {
  return nano / Number(nanoPerUsd);
}

/**
 * The ledger's door: an amount to reserve or settle in nano-dollars, or an internal error. Config
 * validation bounds every price and limit, so reaching this with Infinity, NaN, a negative or an
 * amount past $9M means a bug upstream, and the ledger must not record it.
 */
export function ledgerAmountNano(usd: number, operation: "reserve" | "settle"): number {
  try {
    return usdToNano(usd);
  } catch (error) {
    const why = error instanceof RangeError ? error.message : String(error);
    throw new Error(`internal error: the budget ledger was asked to ${operation} $${String(usd)} (${why}); nothing was recorded`);
  }
}
