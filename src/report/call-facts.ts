/**
 * Each recorded call with the facts the report's figures are built on: its calendar day, whether
 * a provider was called at all (not a cache hit), whether it ran locally or cost nothing, and
 * whether its answer is the one its step kept.
 */
import { calendarKeys } from "../budget/calendar.js";
import { providerTraits } from "../providers/provider-traits.js";
import type { ReportCallRow } from "../store/report-queries.js";

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
  /** Made and billed $0. */
  free: boolean;
  /** Input + output tokens of a call made; 0 for a cache hit. */
  tokens: number;
  /** The answer the step kept: the last attempt of a step that succeeded, not rejected by the output checks. */
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
      free: made && row.costUsd === 0,
      tokens: made ? row.inputTokens + row.outputTokens : 0,
      accepted: row.stepStatus === "succeeded" && row.attempt === row.lastAttempt && row.status !== "failed" && row.rejectionReason === null,
    };
  });
}
