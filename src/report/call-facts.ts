/**
 * Each recorded call with the facts the report's figures are built on: its calendar day, whether
 * a provider was called at all (not a cache hit), whether it ran locally or cost nothing, and
 * whether its answer is the one its step kept.
 */
import { calendarKeys } from "../budget/calendar.js";
import { providerTraits } from "../providers/provider-traits.js";
import type { ReportCallRow } from "../contracts/report-store.js";

export interface CallFact {
  row: ReportCallRow;
  /** Calendar day of the call in the report's time zone. */
  day: string;
  /** `provider:model`. */
  model: string;
  /** One step execution: `run id/step`, and `[item]` for an item of a `for_each` step (each item has its own attempts). */
  stepKey: string;
  /** A provider was called: every row but a cache hit. */
  made: boolean;
  /** Made to a provider on this machine: Ollama, replay files, the built-in mock. */
  local: boolean;
  /** Made, answered (not failed) and billed $0: a failed call is never free, whatever it was billed. */
  free: boolean;
  /** Input + output tokens of a call made; 0 for a cache hit. */
  tokens: number;
  /**
   * The answer its unit kept (a plain step, or one item of a `for_each` step): see `isKeptAnswer`.
   * Each item counts on its own, so a for_each step with one failed item still has its other
   * items' answers counted as successes.
   */
  accepted: boolean;
}

/** Provider types whose calls stay on this machine; `mock` is not in the traits table but runs in-process. */
const localTypes = new Set<string>(["mock", ...Object.entries(providerTraits).filter(([, traits]) => traits.local).map(([type]) => type)]);

export function isLocalProviderType(type: string): boolean {
  return localTypes.has(type);
}

export function callFacts(rows: readonly ReportCallRow[], timeZone: string | undefined): CallFact[] {
  return rows.map((row) => {
    const made = row.status !== "cached";
    return {
      row,
      day: calendarKeys(new Date(row.startedAt), timeZone).day,
      model: `${row.provider}:${row.model}`,
      stepKey: `${row.runId}/${row.step}${row.itemIndex === null ? "" : `[${row.itemIndex}]`}`,
      made,
      local: made && isLocalProviderType(row.providerType),
      free: made && row.status !== "failed" && row.costUsd === 0,
      tokens: made ? row.inputTokens + row.outputTokens : 0,
      accepted: isKeptAnswer(row),
    };
  });
}

/**
 * Step statuses under which an item of a `for_each` step may have kept its answer: the step's status
 * is its worst item's, so a failed, budget-stopped or deferred step can hold items that succeeded.
 * A cancelled step is left out: Ctrl-C during an item's checks leaves its answer neither accepted
 * nor rejected, so an item's success cannot be told from the rows (its resume asks again).
 */
const statusesWithKeptItems = new Set<string>(["succeeded", "failed", "budget_stopped", "deferred"]);

/**
 * The executor stops a unit at its first accepted answer, so a unit's kept answer is its last
 * attempt, when that attempt was answered (not failed) and not rejected by the output checks, and
 * the unit ended: its step succeeded, or (for an item) its step ended as `statusesWithKeptItems` says.
 */
function isKeptAnswer(row: ReportCallRow): boolean {
  if (row.attempt !== row.lastAttempt || row.status === "failed" || row.rejectionReason !== null || row.stepStatus === null) return false;
  return row.stepStatus === "succeeded" || (row.itemIndex !== null && statusesWithKeptItems.has(row.stepStatus));
}
