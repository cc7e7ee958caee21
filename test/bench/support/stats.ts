/** Rounds of a measurement and their spread: every figure the bench prints is min / median / max. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
}

/** Runs `measure` `rounds` times (orch and its baseline interleaved by the caller) and keeps each value. */
export async function rounds<T>(count: number, measure: (round: number) => Promise<T>): Promise<T[]> {
  const values: T[] = [];
  for (let round = 0; round < count; round++) values.push(await measure(round));
  return values;
}

export function formatSpread(spread: Spread, digits: number, unit = ""): string {
  const format = (value: number) => `${value.toFixed(digits)}${unit}`;
  return `${format(spread.median)} (${format(spread.min)}–${format(spread.max)})`;
}
