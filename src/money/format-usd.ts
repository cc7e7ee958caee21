/**
 * The one way orch writes money for people: run lines, summaries, budgets, routes, reports and
 * refusal reasons all go through these three, so the same amount always reads the same.
 * Digits are rounded half up from the exact decimal of the amount, so binary noise
 * (0.00075 + 0.0045 = 0.0052499999999999995) never changes what is shown.
 */
import { exactDecimal } from "./nano.js";

/**
 * A computed amount: cents for amounts of ten cents and more, four decimals below that
 * (a call often costs a fraction of a cent), about two significant digits below a hundredth of a cent.
 */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return amount > 0 ? "unlimited" : "-unlimited";
  const sign = amount < 0 ? "-" : "";
  const size = Math.abs(amount);
  if (size === 0) return "$0";
  if (size >= 0.1) return `${sign}$${fixed(size, 2)}`;
  if (size >= 0.0001) return `${sign}$${fixed(size, 4)}`;
  const decimals = Math.min(10, Math.ceil(-Math.log10(size)) + 1);
  const digits = fixed(size, decimals).replace(/0+$/, "");
  // Below a tenth of a nano-dollar (never a ledger amount): say so rather than print "$0.".
  return digits.endsWith(".") ? `${sign}<$0.0000000001` : `${sign}$${digits}`;
}

/** Money left in a budget: in cents, like a balance (`$0.04`, `$14.20`); finer only under a cent. */
export function formatBalance(amount: number): string {
  return Math.abs(amount) >= 0.01 || amount === 0 ? formatCents(amount) : formatUsd(amount);
}

/** An amount the user wrote (a limit, a threshold): `$5`, `$0.50`, `$0.02`, or as written when finer. */
export function formatLimit(amount: number): string {
  if (Number.isInteger(amount)) return amount < 0 ? `-$${-amount}` : `$${amount}`;
  if (Math.round(amount * 100) === amount * 100) return formatCents(amount);
  return amount < 0 ? `-$${-amount}` : `$${amount}`;
}

function formatCents(amount: number): string {
  return amount < 0 ? `-$${fixed(-amount, 2)}` : `$${fixed(amount, 2)}`;
}

/** Like `toFixed`, but from the exact decimal the number prints as, rounding half up. */
function fixed(size: number, decimals: number): string {
  const { units, scale } = exactDecimal(size);
  const divisor = 10n ** BigInt(Math.max(0, scale - decimals));
  const scaled = scale <= decimals ? units * 10n ** BigInt(decimals - scale) : (units + divisor / 2n) / divisor;
  const digits = scaled.toString().padStart(decimals + 1, "0");
  return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
