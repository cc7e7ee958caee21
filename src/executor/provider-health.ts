/**
 * Cool-downs: a provider whose last few calls all failed with errors that say "not now" (server,
 * network, timeout, rate limit, unavailable) is passed over for a while, so a run stops paying
 * latency on a provider that is down. Seeded from the store (earlier runs count), then updated
 * as this run's calls end.
 */
import type { ProviderState } from "../policy/decision.js";
import type { HistoryStore } from "../contracts/history-store.js";

export const failuresBeforeCooldown = 3;
export const cooldownMs = 5 * 60_000;

const transientKinds = new Set(["server", "network", "timeout", "rate_limit", "unavailable"]);

export interface ProviderHealth {
  record(provider: string, outcome: { ok: true } | { ok: false; kind: string }, at: number): void;
  /** Epoch ms until which the provider should be passed over, if it is cooling down. */
  coolingDownUntil(provider: string, now: number): number | undefined;
}

export async function createProviderHealth(history: Pick<HistoryStore, "recentOutcomes">, now: number): Promise<ProviderHealth> {
  const streaks = new Map<string, { failures: number; lastFailureAt: number }>();
  const since = new Date(now - cooldownMs).toISOString();
  const rows = await history.recentOutcomes(since, failuresBeforeCooldown);
  for (const provider of new Set(rows.map((row) => row.provider))) {
    const latest = rows.filter((row) => row.provider === provider);
    const failing = latest.every((row) => row.status === "failed" && transientKinds.has(row.errorKind ?? ""));
    if (failing) streaks.set(provider, { failures: latest.length, lastFailureAt: Date.parse(latest[0]!.finishedAt) });
  }
  return {
    record(provider, outcome, at) {
      if (outcome.ok || !transientKinds.has(outcome.kind)) {
        streaks.delete(provider);
        return;
      }
      const streak = streaks.get(provider) ?? { failures: 0, lastFailureAt: at };
      streaks.set(provider, { failures: streak.failures + 1, lastFailureAt: at });
    },
    coolingDownUntil(provider, current) {
      const streak = streaks.get(provider);
      if (!streak || streak.failures < failuresBeforeCooldown) return undefined;
      const until = streak.lastFailureAt + cooldownMs;
      return until > current ? until : undefined;
    },
  };
}

/**
 * The providers' states with their cool-downs marked: what a run routes on, and what `plan`,
 * `route` and `providers` show, so none of them calls a provider reachable that a run would avoid.
 */
export function withCooldowns(states: Readonly<Record<string, ProviderState>>, health: ProviderHealth, now: number): Record<string, ProviderState> {
  return Object.fromEntries(
    Object.entries(states).map(([id, state]) => {
      const until = health.coolingDownUntil(id, now);
      return [id, until === undefined ? state : { ...state, coolingDownUntil: until }];
    }),
  );
}
