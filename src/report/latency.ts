/** Latency per `provider:model`, over successful calls made: a failure's latency (a timeout) says nothing about the model's speed. */
import { groupFacts } from "./breakdown.js";
import type { CallFact } from "./call-facts.js";
import { percentile } from "./percentile.js";
import type { LatencyRow } from "./report-model.js";

export function latencyByModel(facts: readonly CallFact[]): LatencyRow[] {
  const timed = facts.filter((fact) => fact.made && fact.row.status === "succeeded" && fact.row.latencyMs !== null);
  return [...groupFacts(timed, (fact) => fact.model)]
    .map(([model, members]) => {
      const sorted = members.map((fact) => fact.row.latencyMs!).sort((a, b) => a - b);
      return { model, calls: sorted.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1]! };
    })
    .sort((a, b) => a.model.localeCompare(b.model));
}
