import type { Complexity } from "./decision.js";

/** Upper bounds (exclusive) of each band, in estimated input tokens; `massive` is everything above. */
export const complexityBands = [
  { complexity: "trivial", below: 100 },
  { complexity: "simple", below: 1_000 },
  { complexity: "medium", below: 10_000 },
  { complexity: "complex", below: 50_000 },
] as const satisfies ReadonlyArray<{ complexity: Complexity; below: number }>;

/** trivial <100, simple <1K, medium <10K, complex <50K, massive ≥50K estimated input tokens. */
export function complexityOf(tokens: number): Complexity {
  for (const band of complexityBands) {
    if (tokens < band.below) return band.complexity;
  }
  return "massive";
}
