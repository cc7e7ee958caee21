/**
 * The answer cache's store contract: answers kept by content address (`cache_key`). Two uses:
 *   - across runs: an `accepted`, `shareable` entry younger than the step's TTL answers an identical call;
 *   - within a run that is resumed: any entry of that run (even one rejected by the checks, or not
 *     yet checked) answers the same step again, once, so nothing completed is paid twice. So does
 *     an entry another step or run paid for that this step was served (each serving is kept).
 * Entries are written with the call that paid for them (`RunStore.recordPaidCall`). Types only.
 */

export type AnswerState = "pending" | "accepted" | "rejected";

export interface NewCachedAnswer {
  cacheKey: string;
  runId: string;
  step: string;
  itemIndex?: number;
  provider: string;
  model: string;
  answer: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** False for `cache: false` steps and `--no-cache` runs: kept only so the run can be resumed. */
  shareable: boolean;
  callId: number;
  createdAt: string;
}

/** Who was served an answer: one step (or one fan-out item of it) of one run. */
export interface AnswerUse {
  runId: string;
  step: string;
  itemIndex?: number;
}

export interface CachedAnswerRow {
  id: number;
  cacheKey: string;
  runId: string;
  step: string;
  itemIndex: number | null;
  provider: string;
  model: string;
  answer: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  state: AnswerState;
  createdAt: string;
}

export interface CacheStats {
  entries: number;
  /** Accepted answers later runs may reuse. */
  reusable: number;
  /** Kept only for resuming their run, or rejected by the checks. */
  resumeOnly: number;
  answerBytes: number;
  oldest: string | null;
  newest: string | null;
  hits: number;
  /** What the hits would have cost: each entry's original cost (to the nano-dollar) times its hits, summed exactly. */
  savedUsd: number;
}

export interface AnswerCacheStore {
  /** The newest reusable answer for the key created at or after `since`, other than `excluded`. */
  findReusable(cacheKey: string, since: string, excluded: readonly number[]): Promise<CachedAnswerRow | undefined>;
  /**
   * The oldest answer this run already has for the same step, item and key, other than `excluded`:
   * one it paid for, or one it was served (whoever paid for it).
   */
  findInRun(cacheKey: string, runId: string, step: string, itemIndex: number | undefined, excluded: readonly number[]): Promise<CachedAnswerRow | undefined>;
  /** A run that finished with nothing left to resume no longer needs its resume-only and rejected answers. */
  forgetResumeOnly(runId: string): Promise<number>;
  stats(): Promise<CacheStats>;
  /** Deletes entries created before `before` (ISO), or every entry; returns how many. */
  clear(before?: string): Promise<number>;
}
