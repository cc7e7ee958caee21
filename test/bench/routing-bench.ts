/**
 * Routing strategies on synthetic tasks with a known oracle (routing-scenarios.ts): pass rate and
 * cost as a share of always-premium, against the oracle (the cheapest passing model per task).
 *
 * Each strategy is routed by orch's own policy engine: `decide` orders the candidates, and after a
 * rejected answer `nextAttempt` (the function the executor calls) picks the next one or stops.
 * Estimates are learnt as the executor learns them: after every settled call. Each scenario runs
 * its training split first (learning only), then its test split, which is what is reported.
 * Run: npm run bench:routing
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RoutingPolicy, Rule } from "../../src/generated/routing-policy.js";
import { decide } from "../../src/policy/decide.js";
import type { Candidate, RouteRequest, RoutingState } from "../../src/policy/decision.js";
import { nextAttempt } from "../../src/policy/next-attempt.js";
import { SuccessEstimates } from "../../src/policy/success-estimates.js";
import { evaluateChain, tuneChain, type RecordedUnit } from "../../src/policy/tune.js";
import { callCostUsd, generateScenario, oracleOf, seeds, shapes, type Scenario, type SyntheticTask } from "./routing-scenarios.js";

export interface Strategy {
  name: string;
  use(scenario: Scenario): Rule["use"];
  /** What an accepted answer is worth, as a multiple of the premium model's average call cost. */
  valueMultiple?: number;
  /** Learn as orch did before conditioning: every call counted as if it were the request's first, order never revised. */
  rawRates?: boolean;
}

export interface Figures {
  tasks: number;
  passed: number;
  costUsd: number;
  calls: number;
}

const premium = (scenario: Scenario) => scenario.models[scenario.models.length - 1]!.name;
const allModels = (scenario: Scenario) => scenario.models.map((model) => model.name) as [string, ...string[]];
const handChain = (scenario: Scenario): [string, ...string[]] => ["m0", "m2", "m4", premium(scenario)];

/** The training split as recorded units: every model's outcome on every task (as in the issue's data set). */
function trainingUnits(scenario: Scenario): RecordedUnit[] {
  return scenario.train.map((task) => ({
    task: task.type,
    outcomes: new Map(scenario.models.map((model) => [`sim:${model.name}`, { accepted: task.solvedBy[model.name] === true, costUsd: callCostUsd(model, task) }])),
  }));
}

const tuned = new WeakMap<Scenario, [string, ...string[]]>();

/** `tune` on the training split: the cheapest chain reaching the hand chain's training pass rate. */
export function tunedChain(scenario: Scenario): [string, ...string[]] {
  const cached = tuned.get(scenario);
  if (cached) return cached;
  const units = trainingUnits(scenario);
  const estimates = new SuccessEstimates();
  const target = evaluateChain(handChain(scenario).map((name) => `sim:${name}`), units, estimates).passRate;
  const result = tuneChain({ models: scenario.models.map((model) => `sim:${model.name}`), train: units, targetPassRate: target, estimates });
  const chain = result.best.chain.map((target) => target.slice("sim:".length)) as [string, ...string[]];
  tuned.set(scenario, chain);
  return chain;
}

export const strategies: readonly Strategy[] = [
  { name: "always premium", use: (scenario) => [premium(scenario)] },
  { name: "hand chain (m0, m2, m4, premium)", use: handChain },
  { name: "tune (chain from the training split)", use: tunedChain },
  { name: "best_value, raw rates, no stop (before)", use: (scenario) => ({ best_value: allModels(scenario) }), rawRates: true },
  { name: "best_value, conditional, no stop", use: (scenario) => ({ best_value: allModels(scenario) }) },
  { name: "best_value + stop, value 1× premium call", use: (scenario) => ({ best_value: allModels(scenario) }), valueMultiple: 1 },
  { name: "best_value + stop, value 2× premium call", use: (scenario) => ({ best_value: allModels(scenario) }), valueMultiple: 2 },
  { name: "best_value + stop, value 3× premium call", use: (scenario) => ({ best_value: allModels(scenario) }), valueMultiple: 3 },
];

export function policyFor(scenario: Scenario, strategy: Strategy): RoutingPolicy {
  const models = Object.fromEntries(scenario.models.map((model) => [model.name, { model: `sim:${model.name}`, prices: model.prices }]));
  const premiumModel = scenario.models[scenario.models.length - 1]!;
  const averageCall = scenario.train.reduce((sum, task) => sum + callCostUsd(premiumModel, task), 0) / scenario.train.length;
  const use = strategy.use(scenario);
  const withValue = strategy.valueMultiple !== undefined && typeof use === "object" && !Array.isArray(use) ? { ...use, value_usd: strategy.valueMultiple * averageCall } : use;
  return {
    version: 1,
    providers: { sim: { type: "openai", api_key_env: "SIM_API_KEY" } },
    models,
    tiers: { economy: ["m0"], standard: ["m0"], premium: [premiumModel.name] },
    rules: [{ name: "bench", use: withValue }],
  } as RoutingPolicy;
}

/** Routes every task of the scenario (training split first, learning only) and returns the test split's figures. */
export function simulate(scenario: Scenario, strategy: Strategy): Figures {
  const policy = policyFor(scenario, strategy);
  const byTarget = new Map(scenario.models.map((model) => [`sim:${model.name}`, model]));
  const estimates = new SuccessEstimates();
  const state: RoutingState = {
    now: 0,
    budgetLeftUsd: {},
    providers: { sim: { available: true, local: false, pricing: "metered" } },
    estimates,
    pricesFor: (_provider, model) => byTarget.get(`sim:${model}`)?.prices,
  };
  const figures: Figures = { tasks: scenario.test.length, passed: 0, costUsd: 0, calls: 0 };
  for (const [counted, tasks] of [[false, scenario.train], [true, scenario.test]] as const) {
    for (const task of tasks) {
      const outcome = routeTask(task, policy, state, estimates, byTarget, strategy.rawRates === true);
      if (!counted) continue;
      figures.passed += outcome.passed ? 1 : 0;
      figures.costUsd += outcome.costUsd;
      figures.calls += outcome.calls;
    }
  }
  return figures;
}

function routeTask(
  task: SyntheticTask,
  policy: RoutingPolicy,
  state: RoutingState,
  estimates: SuccessEstimates,
  byTarget: Map<string, Scenario["models"][number]>,
  rawRates: boolean,
): { passed: boolean; costUsd: number; calls: number } {
  const request: RouteRequest = {
    step: "bench",
    task: task.type,
    ...(task.language === undefined ? {} : { language: task.language }),
    quality: "standard",
    estimatedInputTokens: task.inputTokens,
    maxOutputTokens: 1500,
    sensitive: false,
    tags: [],
  };
  const decision = decide(request, policy, state);
  const rejected: string[] = [];
  let candidate: Candidate | undefined = decision.candidates[0];
  let remaining = decision.candidates.slice(1);
  let costUsd = 0;
  while (candidate) {
    const target = `${candidate.provider}:${candidate.model}`;
    const model = byTarget.get(target)!;
    const callCost = callCostUsd(model, task);
    const accepted = task.solvedBy[model.name] === true;
    costUsd += callCost;
    estimates.add({ target, task: task.type, ...(task.language === undefined ? {} : { language: task.language }), failedBefore: rawRates ? [] : rejected, accepted, costUsd: callCost });
    if (accepted) return { passed: true, costUsd, calls: rejected.length + 1 };
    rejected.push(target);
    if (rawRates) {
      // Before: the first ranking was kept to the end, and every model was tried.
      candidate = remaining.shift();
      continue;
    }
    const next = nextAttempt({ request, remaining, rejected, estimates, strategy: decision.strategy ?? "chain", ...(decision.valueUsd === undefined ? {} : { valueUsd: decision.valueUsd }) });
    if (next.kind === "stop") break;
    candidate = next.candidate;
    remaining = next.remaining;
  }
  return { passed: false, costUsd, calls: rejected.length };
}

export interface BenchRow {
  shape: string;
  strategy: string;
  passRate: number;
  /** Cost as a share of always-premium's on the same tasks. */
  costShare: number;
  /** costShare ÷ the oracle's cost share. */
  timesOracle: number;
}

/** Every shape, summed over its seeds, plus one row per strategy over all shapes. */
export function runRoutingBench(): BenchRow[] {
  const rows: BenchRow[] = [];
  const overall = new Map<string, { passed: number; tasks: number; costUsd: number; premiumUsd: number; oracleUsd: number }>();
  for (const shape of shapes) {
    const sums = new Map<string, { passed: number; tasks: number; costUsd: number }>();
    let premiumUsd = 0;
    let oracleUsd = 0;
    let oraclePassed = 0;
    let tasks = 0;
    for (const seed of seeds) {
      const scenario = generateScenario(shape, seed);
      const oracle = oracleOf(scenario.models, scenario.test);
      oracleUsd += oracle.costUsd;
      oraclePassed += oracle.passed;
      tasks += scenario.test.length;
      for (const strategy of strategies) {
        const figures = simulate(scenario, strategy);
        if (strategy === strategies[0]) premiumUsd += figures.costUsd;
        const sum = sums.get(strategy.name) ?? { passed: 0, tasks: 0, costUsd: 0 };
        sum.passed += figures.passed;
        sum.tasks += figures.tasks;
        sum.costUsd += figures.costUsd;
        sums.set(strategy.name, sum);
      }
    }
    const oracleShare = oracleUsd / premiumUsd;
    for (const [strategy, sum] of [...sums, ["oracle", { passed: oraclePassed, tasks, costUsd: oracleUsd }] as const]) {
      rows.push({ shape: shape.name, strategy, passRate: sum.passed / sum.tasks, costShare: sum.costUsd / premiumUsd, timesOracle: sum.costUsd / premiumUsd / oracleShare });
      const total = overall.get(strategy) ?? { passed: 0, tasks: 0, costUsd: 0, premiumUsd: 0, oracleUsd: 0 };
      total.passed += sum.passed;
      total.tasks += sum.tasks;
      total.costUsd += sum.costUsd;
      total.premiumUsd += premiumUsd;
      total.oracleUsd += oracleUsd;
      overall.set(strategy, total);
    }
  }
  for (const [strategy, total] of overall) {
    const share = total.costUsd / total.premiumUsd;
    rows.push({ shape: "all shapes", strategy, passRate: total.passed / total.tasks, costShare: share, timesOracle: share / (total.oracleUsd / total.premiumUsd) });
  }
  return rows;
}

export function formatRows(rows: readonly BenchRow[]): string {
  const lines: string[] = [];
  let shape = "";
  for (const row of rows) {
    if (row.shape !== shape) {
      shape = row.shape;
      lines.push("", `${shape} (${seeds.length} seeds)`, `  ${"routing".padEnd(44)} pass rate   cost share   × oracle`);
    }
    lines.push(`  ${row.strategy.padEnd(44)} ${row.passRate.toFixed(3).padStart(9)}   ${`${(row.costShare * 100).toFixed(1)}%`.padStart(10)}   ${row.timesOracle.toFixed(2).padStart(8)}`);
  }
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(formatRows(runRoutingBench()));
}
