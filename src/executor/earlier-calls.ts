/**
 * What a resumed run's steps already had before this process: the call rows an earlier process of
 * the same run recorded for them. A step's figures (cost, tokens, attempts) are those of all its
 * calls in the run, whichever process made them, so `orch show` can list the calls under a step and
 * the step's total is their sum. See docs/decisions.md, "A resumed step counts every call of its run".
 */
import type { CallRow } from "../contracts/run-store.js";
import { nanoToUsd, usdToNano } from "../money/nano.js";

/**
 * A call an earlier process of the run made for a step, as `<step>.json` lists it among the
 * step's attempts (`earlier: true`), so the attempts listed add up to the step's figures. It has no
 * `reference` (the policy's name for the candidate): the call row keeps the provider and model only.
 */
export interface EarlierAttempt {
  attempt: number;
  item?: number;
  provider: string;
  model: string;
  status: "succeeded" | "failed";
  cached?: true;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  latencyMs: number | null;
  synthetic: boolean;
  error?: { kind: string; message: string };
  rejected?: string;
  startedAt: string;
  finishedAt: string;
  earlier: true;
}

export interface EarlierCalls {
  /** Call rows of the step, paid or served from the cache. */
  calls: number;
  /** Of those, the ones a provider answered or failed (not `cached`). */
  paidCalls: number;
  /** Tokens and cost of the paid ones (a `cached` row costs nothing and its tokens were not billed). */
  inputTokens: number;
  outputTokens: number;
  costNano: number;
  /** Every call row, in the order they were recorded. */
  attempts: readonly EarlierAttempt[];
}

export const noEarlierCalls: EarlierCalls = Object.freeze({ calls: 0, paidCalls: 0, inputTokens: 0, outputTokens: 0, costNano: 0, attempts: Object.freeze([]) });

/** Per step name: its call rows recorded before this process started (empty for a fresh run). */
export function earlierCallsByStep(rows: readonly CallRow[]): Map<string, EarlierCalls> {
  const byStep = new Map<string, EarlierCalls & { attempts: EarlierAttempt[] }>();
  for (const row of rows) {
    const earlier = byStep.get(row.step) ?? { ...noEarlierCalls, attempts: [] };
    earlier.calls++;
    if (row.status !== "cached") {
      earlier.paidCalls++;
      earlier.inputTokens += row.input_tokens;
      earlier.outputTokens += row.output_tokens;
      earlier.costNano += usdToNano(row.cost_usd);
    }
    earlier.attempts.push(earlierAttemptOf(row));
    byStep.set(row.step, earlier);
  }
  return byStep;
}

function earlierAttemptOf(row: CallRow): EarlierAttempt {
  const cached = row.status === "cached";
  return {
    attempt: row.attempt,
    ...(row.item_index === null ? {} : { item: row.item_index }),
    provider: row.provider,
    model: row.model,
    status: row.status === "failed" ? "failed" : "succeeded",
    ...(cached ? { cached: true as const } : {}),
    // As this process's attempts: a cached one shows the reused answer's tokens and costs nothing;
    // the step's figures count the paid ones.
    usage: { inputTokens: row.input_tokens, outputTokens: row.output_tokens },
    costUsd: cached ? 0 : row.cost_usd,
    latencyMs: row.latency_ms,
    synthetic: row.synthetic === 1,
    ...(row.error_kind === null ? {} : { error: { kind: row.error_kind, message: row.error_message ?? "" } }),
    ...(row.rejection_reason === null ? {} : { rejected: row.rejection_reason }),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    earlier: true,
  };
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
