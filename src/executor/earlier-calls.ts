/**
 * What a resumed run's steps already had before this process: the call rows an earlier process of
 * the same run recorded for them. A step's figures (cost, tokens, attempts) are those of all its
 * calls in the run, whichever process made them, so `orch show` can list the calls under a step and
 * the step's total is their sum. See docs/decisions.md, "A resumed step counts every call of its run".
 */
import type { CallRow } from "../contracts/run-store.js";
import { nanoToUsd, usdToNano } from "../money/nano.js";

export interface EarlierCalls {
  /** Call rows of the step, paid or served from the cache. */
  calls: number;
  /** Of those, the ones a provider answered or failed (not `cached`). */
  paidCalls: number;
  /** Tokens and cost of the paid ones (a `cached` row costs nothing and its tokens were not billed). */
  inputTokens: number;
  outputTokens: number;
  costNano: number;
}

export const noEarlierCalls: EarlierCalls = { calls: 0, paidCalls: 0, inputTokens: 0, outputTokens: 0, costNano: 0 };

/** Per step name: its call rows recorded before this process started (empty for a fresh run). */
export function earlierCallsByStep(rows: readonly CallRow[]): Map<string, EarlierCalls> {
  const byStep = new Map<string, EarlierCalls>();
  for (const row of rows) {
    const earlier = byStep.get(row.step) ?? { ...noEarlierCalls };
    earlier.calls++;
    if (row.status !== "cached") {
      earlier.paidCalls++;
      earlier.inputTokens += row.input_tokens;
      earlier.outputTokens += row.output_tokens;
      earlier.costNano += usdToNano(row.cost_usd);
    }
    byStep.set(row.step, earlier);
  }
  return byStep;
}

/** What earlier processes of a resumed run paid, all steps together; undefined when nothing was recorded before. */
export function earlierRunTotals(byStep: ReadonlyMap<string, EarlierCalls>): { calls: number; costUsd: number } | undefined {
  const all = [...byStep.values()];
  if (all.length === 0) return undefined;
  return {
    calls: all.reduce((sum, earlier) => sum + earlier.paidCalls, 0),
    costUsd: nanoToUsd(all.reduce((sum, earlier) => sum + earlier.costNano, 0)),
  };
}
