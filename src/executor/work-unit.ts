/**
 * One unit of work: a step, or one item of a for_each step. Attempts, cache lookups, checks and
 * output paths are all per unit; a plain step is the unit without an item.
 */
import type { PipelineStep } from "../pipeline/model.js";
import type { ConcurrencySlot } from "./fan-out.js";
import type { WorkUnit } from "../pipeline/render.js";
import type { ProviderErrorKind } from "../providers/provider-error.js";
import type { TokenUsage } from "../providers/provider.js";

export interface UnitRun {
  step: PipelineStep;
  /** The item's position in a for_each step; undefined for a plain step. */
  item?: number;
  /** What templates see of the item. */
  unit: WorkUnit;
  stepExecutionId: number;
  /** Aborts on Ctrl-C and when the step's deadline passes. */
  signal: AbortSignal;
  /** A for_each item's place under the step's concurrency cap, given up while it waits for a batch. */
  slot?: ConcurrencySlot;
}

export interface AttemptRecord {
  attempt: number;
  item?: number;
  reference: string;
  provider: string;
  model: string;
  status: "succeeded" | "failed";
  /** Served from the cache or from this run's earlier answer: nothing was paid. */
  cached?: boolean;
  usage: TokenUsage;
  costUsd: number;
  /** For a cached attempt: what the reused answer had cost. */
  savedUsd?: number;
  latencyMs: number;
  synthetic: boolean;
  error?: { kind: ProviderErrorKind; message: string };
  /** Set when the answer came back but failed the output checks (invalid JSON, a validator, …). */
  rejected?: string;
  /** The end of the failing check's output (validators), scrubbed of secrets. */
  checkerOutput?: string;
  startedAt: string;
  finishedAt: string;
}
