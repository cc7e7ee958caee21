/**
 * `orch policy test <policy> <cases.yaml>`: each case is a request and the route the policy must
 * give it. A case fails on any difference in the keys it checks, and the failure carries a diff
 * (expected against actual) and the full explanation, so a reviewer sees why the route moved.
 */
import type { PolicyCase, PolicyCaseExpectation } from "../generated/policy-cases.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { decide } from "./decide.js";
import type { BudgetScope, Candidate, Decision, ModelHistory, ModelPrices, ProviderState, RouteRequest, RoutingState } from "./decision.js";
import { explainDecision } from "./explain.js";

/** The state every case starts from; a case overrides budget, availability, cool-down and history. */
export interface PolicyStateDefaults {
  pricesFor(provider: string, model: string): ModelPrices | undefined;
  /** Default: a fixed instant, so cool-down times print the same everywhere. */
  now?: number;
  /** Default: `assumedProviderStates(policy)`, every provider available. */
  providers?: Readonly<Record<string, ProviderState>>;
  /** Default: each limit of the policy's `budget`, untouched. */
  budgetLeftUsd?: RoutingState["budgetLeftUsd"];
  history?: readonly ModelHistory[];
}

export interface PolicyCaseActual {
  first?: string;
  candidates: string[];
  matched: string;
  exhausted?: string;
  explanation: string[];
}

export interface PolicyCaseFailure {
  case: string;
  expected: PolicyCaseExpectation;
  actual: PolicyCaseActual;
  /** One line per key that differs: `first: expected "x", got "y"`. */
  diff: string[];
}

export interface PolicyTestResult {
  /** Names of the cases that passed. */
  passed: string[];
  failed: PolicyCaseFailure[];
}

/** 2025-01-01T12:00:00Z: cases never depend on the real clock. */
const defaultNow = Date.UTC(2025, 0, 1, 12, 0, 0);
const coolDownForCases = 10 * 60_000;

export function runPolicyCases(policy: RoutingPolicy, cases: readonly PolicyCase[], defaults: PolicyStateDefaults): PolicyTestResult {
  const result: PolicyTestResult = { passed: [], failed: [] };
  for (const testCase of cases) {
    const request = requestOf(testCase);
    const decision = decide(request, policy, stateOf(testCase, policy, defaults));
    const actual = actualOf(decision, request);
    const diff = compare(testCase.expect, actual, decision);
    if (diff.length) result.failed.push({ case: testCase.name, expected: testCase.expect, actual, diff });
    else result.passed.push(testCase.name);
  }
  return result;
}

/** What availability and pricing each provider type implies, when nothing was probed. */
export function assumedProviderStates(policy: RoutingPolicy): Record<string, ProviderState> {
  const states: Record<string, ProviderState> = {};
  for (const [name, provider] of Object.entries(policy.providers)) {
    switch (provider.type) {
      case "ollama":
        states[name] = { available: true, local: true, pricing: "local" };
        break;
      case "cli":
        states[name] = { available: true, local: false, pricing: "subscription" };
        break;
      case "mock":
      case "replay":
        states[name] = { available: true, local: true, pricing: "metered", synthetic: true };
        break;
      default:
        states[name] = { available: true, local: false, pricing: "metered" };
    }
  }
  return states;
}

/** The full limits of the policy's budget, as money left before anything is spent. */
export function fullBudget(policy: RoutingPolicy): RoutingState["budgetLeftUsd"] {
  const budget = policy.budget ?? {};
  const left: Partial<Record<BudgetScope, number>> = {};
  if (budget.run_usd !== undefined) left.run = budget.run_usd;
  if (budget.daily_usd !== undefined) left.day = budget.daily_usd;
  if (budget.monthly_usd !== undefined) left.month = budget.monthly_usd;
  return left;
}

function requestOf(testCase: PolicyCase): RouteRequest {
  const given = testCase.request;
  return {
    step: given.step ?? "step",
    task: given.task,
    quality: given.quality ?? "standard",
    estimatedInputTokens: given.tokens ?? 1000,
    maxOutputTokens: given.max_tokens ?? 4096,
    sensitive: given.sensitive ?? false,
    tags: given.tags ?? [],
    ...(given.language === undefined ? {} : { language: given.language }),
    ...(given.model === undefined ? {} : { pinnedModel: given.model }),
    ...(given.max_cost_usd === undefined ? {} : { maxCostUsd: given.max_cost_usd }),
  };
}

function stateOf(testCase: PolicyCase, policy: RoutingPolicy, defaults: PolicyStateDefaults): RoutingState {
  const given = testCase.request;
  const now = defaults.now ?? defaultNow;
  const providers: Record<string, ProviderState> = { ...(defaults.providers ?? assumedProviderStates(policy)) };
  for (const name of given.unavailable ?? []) {
    const current = providers[name] ?? { local: false, pricing: "metered" as const };
    providers[name] = { ...current, available: false, reason: "marked unavailable by the test case" };
  }
  for (const name of given.cooling_down ?? []) {
    const current = providers[name] ?? { available: true, local: false, pricing: "metered" as const };
    providers[name] = { ...current, coolingDownUntil: now + coolDownForCases };
  }
  const history: ModelHistory[] = (given.history ?? []).map((entry) => ({
    reference: entry.model,
    task: given.task,
    calls: entry.calls,
    successes: entry.successes,
    averageCostUsd: entry.average_cost_usd,
    averageLatencyMs: entry.average_latency_ms ?? 0,
  }));
  return {
    now,
    budgetLeftUsd: { ...(defaults.budgetLeftUsd ?? fullBudget(policy)), ...given.budget_left },
    providers,
    history: [...(defaults.history ?? []), ...history],
    pricesFor: (provider, model) => defaults.pricesFor(provider, model),
  };
}

function actualOf(decision: Decision, request: RouteRequest): PolicyCaseActual {
  const first = decision.candidates[0];
  return {
    ...(first ? { first: labelOf(first) } : {}),
    candidates: decision.candidates.map(labelOf),
    matched: decision.matched,
    ...(decision.exhausted ? { exhausted: decision.exhausted.action } : {}),
    explanation: explainDecision(decision, request),
  };
}

function labelOf(candidate: Candidate): string {
  const target = `${candidate.provider}:${candidate.model}`;
  return candidate.reference === target ? target : `${candidate.reference} (${target})`;
}

function names(candidate: Candidate): string[] {
  return [candidate.reference, `${candidate.provider}:${candidate.model}`];
}

function compare(expected: PolicyCaseExpectation, actual: PolicyCaseActual, decision: Decision): string[] {
  const diff: string[] = [];
  const first = decision.candidates[0];
  if (expected.first !== undefined && !(first && names(first).includes(expected.first))) {
    diff.push(`first: expected "${expected.first}", got ${quoteOrNone(actual.first)}`);
  }
  if (expected.candidates !== undefined) {
    const same =
      expected.candidates.length === decision.candidates.length &&
      expected.candidates.every((name, index) => {
        const candidate = decision.candidates[index];
        return candidate !== undefined && names(candidate).includes(name);
      });
    if (!same) diff.push(`candidates: expected [${expected.candidates.join(", ")}], got [${actual.candidates.join(", ")}]`);
  }
  if (expected.matched !== undefined && expected.matched !== actual.matched) {
    diff.push(`matched: expected "${expected.matched}", got "${actual.matched}"`);
  }
  if (expected.exhausted !== undefined && expected.exhausted !== actual.exhausted) {
    diff.push(`exhausted: expected "${expected.exhausted}", got ${actual.exhausted ? `"${actual.exhausted}"` : "a route (not exhausted)"}`);
  }
  if (expected.reason_contains !== undefined && !actual.explanation.join("\n").includes(expected.reason_contains)) {
    diff.push(`reason: expected the explanation to contain "${expected.reason_contains}"`);
  }
  return diff;
}

function quoteOrNone(value: string | undefined): string {
  return value === undefined ? "no candidate" : `"${value}"`;
}

/** Lines for the CLI: a summary, and for each failure its diff and the explanation. */
export function formatPolicyTestResult(result: PolicyTestResult): string[] {
  const lines: string[] = [];
  for (const failure of result.failed) {
    lines.push(`FAIL ${failure.case}`);
    for (const line of failure.diff) lines.push(`  ${line}`);
    lines.push("  explanation:");
    for (const line of failure.actual.explanation) lines.push(`    ${line}`);
  }
  const total = result.passed.length + result.failed.length;
  lines.push(`${result.passed.length} of ${total} cases passed${result.failed.length ? `, ${result.failed.length} failed` : ""}`);
  return lines;
}
