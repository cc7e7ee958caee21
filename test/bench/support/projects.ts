/** Pipelines and policies the bench runs: chains, independent steps and DAGs, on a mock or the fake server. */
import { writeFileSync } from "node:fs";
import path from "node:path";

export interface PolicyOptions {
  /** A mock provider answering after this long. */
  latencyMs?: number;
  /** An OpenAI-compatible server instead of the mock. */
  openAiBaseUrl?: string;
  budget?: { dailyUsd: number; monthlyUsd: number };
}

export const benchOpenAiModel = "gpt-4o-mini";

export function writePolicy(directory: string, options: PolicyOptions): string {
  const provider = options.openAiBaseUrl
    ? `  fake: { type: openai, base_url: "${options.openAiBaseUrl}", api_key_env: BENCH_OPENAI_KEY, max_retries: 0 }\n`
    : `  fake: { type: mock, latency_ms: ${options.latencyMs ?? 0} }\n`;
  const budget = options.budget ? `budget:\n  daily_usd: ${options.budget.dailyUsd}\n  monthly_usd: ${options.budget.monthlyUsd}\n` : "";
  const file = path.join(directory, "policy.yaml");
  // The fake server answers the models it knows; the mock answers any.
  const model = options.openAiBaseUrl ? benchOpenAiModel : "m";
  writeFileSync(
    file,
    `version: 1\nproviders:\n${provider}models:\n  m: { model: "fake:${model}", prices: { input: 1, output: 2 } }\ntiers:\n  economy: [m]\n  standard: [m]\n  premium: [m]\n${budget}`,
  );
  return file;
}

/** `needsOf(index)` gives each step's needs by index; a step reads every need's output. */
export function writePipeline(directory: string, steps: number, needsOf: (index: number) => number[]): string {
  const lines = ["version: 1", "name: bench", "policy: policy.yaml", "steps:"];
  for (let index = 0; index < steps; index++) {
    const needs = needsOf(index);
    lines.push(`  s${index}:`);
    if (needs.length > 0) lines.push(`    needs: [${needs.map((need) => `s${need}`).join(", ")}]`);
    const reads = needs.map((need) => `<%= it.steps.s${need}.output %>`).join(" ");
    lines.push(`    prompt: "Step ${index}${reads ? ` after ${reads}` : ""}"`);
  }
  const file = path.join(directory, "pipeline.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  writeFileSync(path.join(directory, "package.json"), "{}\n");
  return file;
}

export const chain = (index: number) => (index === 0 ? [] : [index - 1]);
export const independent = () => [];

/** A layered DAG: `width` steps per layer, each needing 1–3 steps of the layer before (seeded). */
export function layeredDag(width: number, seed: number): (index: number) => number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4_294_967_296;
  };
  const memo = new Map<number, number[]>();
  return (index) => {
    if (index < width) return [];
    if (!memo.has(index)) {
      const layerStart = Math.floor(index / width) * width - width;
      const count = 1 + Math.floor(random() * 3);
      memo.set(index, [...new Set(Array.from({ length: count }, () => layerStart + Math.floor(random() * width)))].sort((a, b) => a - b));
    }
    return memo.get(index)!;
  };
}
