/**
 * Synthetic routing scenarios with a known oracle: tasks × models, where whether a model solves a
 * task is fixed in advance (so every strategy meets the same world, and the cheapest passing model
 * per task is known).
 *
 * A model has an ability and a price; a task has a difficulty (some are unsolvable), a type and a
 * language. Model m solves task t when ability(m) + affinity(m, type) + noise(m, t) > difficulty(t).
 * Shapes vary what makes routing hard (noisy pairs, specialists, many unsolvable tasks, flat prices),
 * and every shape runs under several seeds, so nothing is tuned to one data set.
 */

export interface SyntheticModel {
  name: string;
  /** USD per million tokens. */
  prices: { input: number; output: number };
  ability: number;
}

export interface SyntheticTask {
  type: "code" | "prose";
  language?: string;
  inputTokens: number;
  outputTokens: number;
  /** By model name: whether its answer passes the checks. */
  solvedBy: Record<string, boolean>;
}

export interface Scenario {
  shape: string;
  seed: number;
  models: SyntheticModel[];
  train: SyntheticTask[];
  test: SyntheticTask[];
}

export interface Shape {
  name: string;
  /** Spread of the per-(model, task) luck: 0 means a stronger model solves everything a weaker one does. */
  pairNoise: number;
  unsolvableShare: number;
  /** Cheapest and dearest input price, USD per million tokens (output costs 4×). */
  priceRange: [number, number];
  /** Spread of each model's advantage on one task type over the other. */
  affinity: number;
}

export const shapes: readonly Shape[] = [
  { name: "nested", pairNoise: 0.2, unsolvableShare: 0.12, priceRange: [0.05, 15], affinity: 0 },
  { name: "noisy", pairNoise: 0.8, unsolvableShare: 0.12, priceRange: [0.05, 15], affinity: 0 },
  { name: "specialists", pairNoise: 0.4, unsolvableShare: 0.12, priceRange: [0.05, 15], affinity: 0.8 },
  { name: "many-unsolvable", pairNoise: 0.3, unsolvableShare: 0.3, priceRange: [0.05, 15], affinity: 0 },
  { name: "flat-prices", pairNoise: 0.4, unsolvableShare: 0.12, priceRange: [0.5, 5], affinity: 0 },
];

export const seeds: readonly number[] = [1, 2, 3];
export const modelCount = 8;
export const trainTasks = 300;
export const testTasks = 200;
const languages = ["typescript", "python", "go"];

export function generateScenario(shape: Shape, seed: number): Scenario {
  const random = mulberry32(seed * 7919 + shape.name.length);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const [cheapest, dearest] = shape.priceRange;
  const models: SyntheticModel[] = Array.from({ length: modelCount }, (_, index) => {
    const input = cheapest * (dearest / cheapest) ** (index / (modelCount - 1));
    return { name: `m${index}`, prices: { input, output: input * 4 }, ability: -0.6 + (2.2 * index) / (modelCount - 1) + 0.25 * gaussian() };
  });
  const affinity = new Map(models.map((model) => [model.name, shape.affinity * gaussian()]));
  const task = (): SyntheticTask => {
    const type = random() < 0.6 ? "code" : "prose";
    const unsolvable = random() < shape.unsolvableShare;
    const difficulty = gaussian();
    const solvedBy: Record<string, boolean> = {};
    for (const model of models) {
      const lean = type === "code" ? affinity.get(model.name)! : -affinity.get(model.name)!;
      solvedBy[model.name] = !unsolvable && model.ability + lean + shape.pairNoise * gaussian() > difficulty;
    }
    return {
      type,
      ...(type === "code" ? { language: languages[Math.floor(random() * languages.length)]! } : {}),
      inputTokens: 500 + Math.floor(random() * 3500),
      outputTokens: 200 + Math.floor(random() * 1300),
      solvedBy,
    };
  };
  return { shape: shape.name, seed, models, train: Array.from({ length: trainTasks }, task), test: Array.from({ length: testTasks }, task) };
}

/** What one call of `model` on `task` costs, USD. */
export function callCostUsd(model: SyntheticModel, task: SyntheticTask): number {
  return (task.inputTokens * model.prices.input + task.outputTokens * model.prices.output) / 1e6;
}

/** The cheapest passing model per task: its pass rate and cost over `tasks`. */
export function oracleOf(models: readonly SyntheticModel[], tasks: readonly SyntheticTask[]): { passed: number; costUsd: number } {
  let passed = 0;
  let costUsd = 0;
  for (const task of tasks) {
    const costs = models.filter((model) => task.solvedBy[model.name]).map((model) => callCostUsd(model, task));
    if (costs.length === 0) continue;
    passed++;
    costUsd += Math.min(...costs);
  }
  return { passed, costUsd };
}

/** A small, fast, seedable generator (public domain), so every run of the bench sees the same world. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
