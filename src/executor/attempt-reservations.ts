/**
 * The reservations of one call: one per provider attempt. The first is made by `attemptCandidate`
 * before the call (a refusal moves on to the next candidate). Each retry the resilience layer makes
 * is reserved through the `AttemptGate` before it goes out — against the ledger and the step's
 * `max_cost_usd` — and each failed attempt is settled at once against its own reservation, at the
 * cost of its own usage. The attempt that ends the call is settled with the call's record
 * (call-records.ts), at the usage the earlier attempts did not account for.
 *
 * Why a gate and not retries driven by the executor: the retry policy (retryable kinds, backoff,
 * `Retry-After`, `max_retries`) and the limiters stay in one place, providers stay free of ledger
 * knowledge, and an attempt as the user sees it (one row, one attempt number) keeps its meaning.
 */
import type { Ledger, Reservation, SettledCall } from "../budget/ledger.js";
import type { Candidate } from "../policy/decision.js";
import { nanoToUsd } from "../money/nano.js";
import { billNano } from "../providers/pricing.js";
import type { AttemptGate, TokenUsage } from "../providers/provider.js";

export interface CallReservations {
  gate: AttemptGate;
  /** The reservation still open (the latest attempt's), if it was not settled yet. */
  open(): Reservation | undefined;
  /** The latest reservation made, for the call's row. */
  latest(): Reservation;
  /** What the failed attempts settled so far cost, in USD. */
  settledUsd(): number;
  /** The usage of the attempt that ended the call: the call's total less what failed attempts settled. */
  remainingUsage(total: TokenUsage): TokenUsage;
}

export interface CoverOptions {
  first: Reservation;
  candidate: Candidate;
  call: SettledCall;
  worstCaseUsd: number;
  /** What is left of the step's `max_cost_usd`, when it has one. */
  spendLeftUsd?: number;
  tags: readonly string[];
  synthetic: boolean;
}

export function coverAttempts(ledger: Pick<Ledger, "reserve" | "settle" | "release">, options: CoverOptions): CallReservations {
  let open: Reservation | undefined = options.first;
  let latest = options.first;
  let settledUsd = 0;
  const settledUsages: TokenUsage[] = [];
  return {
    gate: {
      async beforeRetry(attempt) {
        if (options.spendLeftUsd !== undefined && settledUsd + options.worstCaseUsd > options.spendLeftUsd) {
          return `retry ${attempt}'s worst case $${options.worstCaseUsd.toFixed(6)} exceeds the $${Math.max(0, options.spendLeftUsd - settledUsd).toFixed(6)} left of the step's max_cost_usd`;
        }
        const reserved = await ledger.reserve(options.worstCaseUsd, { tags: options.tags, ...(options.synthetic ? { synthetic: true } : {}) });
        if (!reserved.ok) return `retry ${attempt}: ${reserved.refusal.reason}`;
        open = reserved.reservation;
        latest = reserved.reservation;
        return undefined;
      },
      async afterFailedAttempt(_attempt, usage) {
        const costUsd = usage === undefined ? 0 : costOf(options.candidate, usage);
        if (usage !== undefined) settledUsages.push(usage);
        settledUsd += costUsd;
        const closing = open;
        if (closing === undefined) return;
        open = undefined;
        if (costUsd > 0) await ledger.settle(closing, costUsd, options.call);
        else await ledger.release(closing);
      },
    },
    open: () => open,
    latest: () => latest,
    settledUsd: () => settledUsd,
    remainingUsage: (total) => usageLess(total, settledUsages),
  };
}

export function costOf(candidate: Candidate, usage: TokenUsage): number {
  return nanoToUsd(billNano(usage, candidate.prices));
}

/** Field by field (whatever counts `TokenUsage` carries), never below zero. */
function usageLess(total: TokenUsage, spent: readonly TokenUsage[]): TokenUsage {
  const left: Record<string, number> = { ...(total as unknown as Record<string, number>) };
  for (const usage of spent) {
    for (const [field, value] of Object.entries(usage)) {
      if (typeof value === "number" && typeof left[field] === "number") left[field] = Math.max(0, left[field] - value);
    }
  }
  return left as unknown as TokenUsage;
}
