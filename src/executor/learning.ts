/**
 * What a run knows about its models' success, kept current: seeded from the store's settled calls
 * when the run starts, told about each of its own verdicts as it happens, and topped up with other
 * processes' verdicts (read incrementally from the store) before every routing decision. So a long
 * `for_each` learns while it runs, and two runs sharing a database learn from each other.
 */
import { SuccessEstimates, type CallObservation, type SuccessEstimator } from "../policy/success-estimates.js";
import type { BacktestUnit } from "../policy/backtest.js";
import type { HistoryStore, SettledCallRow } from "../contracts/history-store.js";

/** Learning looks at this much history: long enough to learn, short enough to follow price changes. */
export const routingHistoryWindowMs = 30 * 24 * 60 * 60_000;

export interface RunLearning {
  /** The estimates as of now, including other processes' verdicts since the last look. */
  current(): Promise<SuccessEstimator>;
  /** One of this run's calls got its verdict. */
  record(observation: CallObservation): void;
}

/** Verdicts are re-read this far back, since clocks of processes sharing a database may differ a little; ids keep each once. */
export const clockMarginMs = 5_000;

/**
 * `now` is the clock verdicts are written with (the run's). Each look reads the verdicts recorded
 * since the previous look (less the margin), so its cost follows what others recorded meanwhile,
 * not the length of the run: the verdict index is read from that instant on, and this run's own
 * verdicts before it are not walked again at every step.
 */
export async function createRunLearning(
  history: Pick<HistoryStore, "settledCalls" | "settledCallsSince">,
  runId: string,
  started: Date,
  now: () => Date = () => new Date(),
): Promise<RunLearning> {
  const estimates = new SuccessEstimates();
  const seen = new Set<number>();
  let lookedAtMs = started.getTime();
  const learn = (row: SettledCallRow) => {
    if (seen.has(row.id)) return;
    seen.add(row.id);
    estimates.add(observationOf(row));
  };
  for (const row of await history.settledCalls(new Date(started.getTime() - routingHistoryWindowMs).toISOString())) learn(row);
  return {
    async current() {
      const lookingAtMs = now().getTime();
      for (const row of await history.settledCallsSince(new Date(lookedAtMs - clockMarginMs).toISOString(), runId)) learn(row);
      lookedAtMs = Math.max(lookedAtMs, lookingAtMs);
      return estimates;
    },
    record(observation) {
      estimates.add(observation);
    },
  };
}

/** A settled call as the estimates count it: conditioned on what was rejected before it in its unit. */
export function observationOf(row: SettledCallRow): CallObservation {
  return {
    target: row.target,
    task: row.task,
    ...(row.language === null ? {} : { language: row.language }),
    failedBefore: row.failedBefore ? row.failedBefore.split(" ") : [],
    accepted: row.accepted === 1,
    costUsd: row.costUsd,
  };
}

/** Settled calls grouped by the request they answered (in order), for replaying other chains over them; a model's first answer counts. */
export function recordedUnitsOf(rows: readonly SettledCallRow[]): BacktestUnit[] {
  const units = new Map<string, BacktestUnit & { outcomes: Map<string, { accepted: boolean; costUsd: number }> }>();
  for (const row of rows) {
    let unit = units.get(row.unit);
    if (!unit) {
      // The request as its first call saw it.
      unit = {
        step: row.step,
        task: row.task,
        ...(row.language === null ? {} : { language: row.language }),
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        outcomes: new Map(),
      };
      units.set(row.unit, unit);
    }
    if (!unit.outcomes.has(row.target)) unit.outcomes.set(row.target, { accepted: row.accepted === 1, costUsd: row.costUsd });
  }
  return [...units.values()];
}
