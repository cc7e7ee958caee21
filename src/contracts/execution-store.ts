/**
 * What resuming a run and checking answers need beyond the run log, as a store contract: finding
 * the run to resume, reopening it in place (same id, same results folder, same run budget),
 * resetting the steps that did not succeed, numbering attempts after the ones already recorded,
 * and keeping each answer's verdict on its call's row. Types only.
 */
import type { RunStatus, StepRow } from "./run-store.js";

export interface ResumableRun {
  id: string;
  pipelineName: string;
  pipelinePath: string;
  status: RunStatus;
  inputsJson: string;
  startedAt: string;
  resultsDirectory: string | null;
  processId: number | null;
}

export interface ReopenedRun {
  /** Each step's row id (steps added to the pipeline since get a new row). */
  ids: Map<string, number>;
  /** The rows of the steps that succeeded: their outputs are reused. */
  succeeded: StepRow[];
}

export interface ExecutionStore {
  getRun(runId: string): Promise<ResumableRun | undefined>;
  /** Runs of this pipeline file that did not succeed, newest first. */
  unfinishedRuns(pipelinePath: string, limit?: number): Promise<ResumableRun[]>;
  /** Reopens the run and prepares its steps in one transaction; every step that did not succeed is reset to pending. */
  reopenRun(runId: string, steps: readonly string[], processId: number, at: string): Promise<ReopenedRun>;
  /** The highest attempt number recorded per step and item (`step#item`, item empty for plain steps). */
  lastAttempts(runId: string): Promise<Map<string, number>>;
  /**
   * The checks refused a call's answer, in one transaction: the reason (and the end of what the
   * failing check printed, already scrubbed) on the call's row, and its cache entry, when it has
   * one, marked rejected (an answer another step already accepted stays accepted).
   */
  rejectAnswer(callId: number, reason: string, checkerOutput: string | undefined, entryId: number | undefined): Promise<void>;
  /** The checks' verdict on a call's answer, when it became known, and the step's language: what routing learns from. */
  recordVerdict(callId: number, verdict: "accepted" | "rejected", at: string, language: string | undefined): Promise<void>;
}
