/**
 * Nearest-rank percentile: the smallest value with at least p% of the values at or below it.
 * Always one of the observed values (no interpolation), so a p95 latency is a latency that happened.
 * Pre: `sorted` ascending and not empty; 0 < p <= 100.
 */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
