/**
 * `orch plan`: the route every step would take now and what it may cost, without calling a model.
 *
 * Counted as a run will count it: each unit of work (every `for_each` item, every file of a glob)
 * is rendered with its item, file and context files and routed on its own; a `when` that reads
 * only inputs is decided now. What cannot be known yet is a range: upstream outputs are rendered
 * empty for the least, and for the most each upstream step adds its whole output cap (`max_tokens`,
 * times its items). The worst case is priced as the ledger reserves it: the prompt at the byte
 * bound every vendor's tokenizer stays under (`inputTokenBound`), plus those caps, plus the output cap.
 */
import type { ProviderSet } from "../executor/run-pipeline.js";
import type { PipelineStep } from "../pipeline/model.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { Decision, RouteRequest } from "../policy/decision.js";
import { estimatePromptTokens, inputTokenBound } from "../policy/estimate-tokens.js";
import { nanoToUsd, usdToNano } from "../money/nano.js";
import { costRangeNano } from "../providers/pricing.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { Workspace } from "./load-workspace.js";
import { plannedMessages, plannedUnits, whenOutcome, type WhenOutcome } from "./plan-units.js";
import { stepsReadBy } from "../pipeline/render.js";
import { createRouter, type RouteOutcome } from "./route-request.js";
import { promptLoggingOf } from "../executor/call-log.js";
import type { Redactor } from "../secrets/redact.js";
import type { ChatMessage } from "../providers/provider.js";

export interface StepPlan {
  step: string;
  needs: readonly string[];
  task: string;
  quality: string;
  language?: string;
  /** Per unit of work (the largest item's, for a `for_each` step): empty upstream outputs → full ones. */
  inputTokens: { min: number; max: number };
  maxOutputTokens: number;
  /** The route of the first unit (for a `for_each` step, of item 0). */
  decision: Decision;
  /** The whole step (every item), on the first candidate of each: the route taken if nothing fails. 0 at the least when `when` may skip it. */
  costUsd: { min: number; max: number };
  /**
   * The rendered messages, secrets scrubbed, when they are known before running: the step reads no
   * upstream output and is not a for_each step. Never for a sensitive step or under `log.prompts: hashes`.
   */
  prompt?: ChatMessage[];
  /** Set when the step has a `when`: decided now (`runs`, `skipped`) or depending on upstream outputs. */
  when?: { expression: string; outcome: WhenOutcome };
  /** Set for a `for_each` step: how many items (absent when only the run can tell, with why); costs are then per item. */
  items?: { count: number } | { count?: undefined; reason: string };
  /** The first candidate of each unit, counted: `mock:small ×12`. */
  models: { target: string; units: number }[];
}

export interface PipelinePlan {
  pipeline: string;
  policy: string;
  order: StepPlan[];
  totalCostUsd: { min: number; max: number };
  /** Steps whose item count only the run can know: their cost in the total is for one item. */
  perItemSteps: string[];
  budgetLeftUsd: Partial<Record<"run" | "day" | "month", number>>;
}

/** What a step can add to a dependent's prompt at most, in tokens (0 when it is surely skipped). */
interface UpstreamBound {
  maxTokens: number;
}

export async function planPipeline(
  workspace: Workspace,
  inputs: InputValues,
  store: OrchStore,
  providers: ProviderSet,
  options: { redact?: Redactor } = {},
): Promise<PipelinePlan> {
  const { pipeline, policy } = workspace;
  const route = await createRouter(policy, { store, providers });
  const emptyOutputs = new Map<string, UpstreamOutput>([...pipeline.steps.keys()].map((name) => [name, { output: "", json: {} }]));
  const bounds = new Map<string, UpstreamBound>();
  const skipped = new Set<string>();
  let budgetLeftUsd: PipelinePlan["budgetLeftUsd"] = {};

  const order: StepPlan[] = [];
  for (const name of pipeline.order) {
    const step = pipeline.steps.get(name)!;
    const when = step.when ? whenOutcome(step.when, inputs) : undefined;
    const needSkipped = step.ifNeedsSkipped === "skip" && step.needs.some((need) => skipped.has(need));
    const surelySkipped = when === "skipped" || needSkipped;
    if (surelySkipped) skipped.add(name);

    const units = await plannedUnits(pipeline, step, inputs);
    const readSteps = [...stepsReadBy(pipeline, step)];
    const upstreamTokens = readSteps.reduce((sum, upstream) => sum + (bounds.get(upstream)?.maxTokens ?? 0), 0);
    const routes: { outcome: RouteOutcome; estimate: number }[] = [];
    let firstMessages: ChatMessage[] | undefined;
    for (const unit of units.units) {
      const messages = await plannedMessages(pipeline, step, inputs, emptyOutputs, unit);
      firstMessages ??= messages;
      const estimate = estimatePromptTokens(messages);
      const request = requestOf(workspace, step, estimate + upstreamTokens, inputTokenBound(messages.map((message) => message.content)) + upstreamTokens);
      routes.push({ outcome: await route(request), estimate });
    }
    budgetLeftUsd = routes[0]!.outcome.budgetLeftUsd;
    const cost = surelySkipped ? { min: 0, max: 0 } : stepCost(routes, when === "may-skip");
    bounds.set(name, { maxTokens: surelySkipped ? 0 : step.maxTokens * units.units.length });
    const promptKnown = firstMessages !== undefined && !step.forEach && readSteps.length === 0;
    const shownPrompt = promptKnown && promptLoggingOf({ policy: policy.policy }, step) === "full" ? scrubbed(firstMessages!, options.redact ?? ((text) => text)) : undefined;
    order.push({
      step: name,
      needs: step.needs,
      task: step.task,
      quality: step.quality,
      ...(step.language === undefined ? {} : { language: step.language }),
      inputTokens: {
        min: Math.min(...routes.map((unit) => unit.estimate)),
        max: Math.max(...routes.map((unit) => unit.estimate)) + upstreamTokens,
      },
      maxOutputTokens: step.maxTokens,
      decision: routes[0]!.outcome.decision,
      costUsd: cost,
      ...(step.when ? { when: { expression: step.when.text, outcome: needSkipped ? "skipped" : when! } } : needSkipped ? { when: { expression: `needs ${step.needs.filter((need) => skipped.has(need)).join(", ")} skipped`, outcome: "skipped" as const } } : {}),
      ...(step.forEach ? { items: units.known ? { count: units.units.length } : { reason: units.reason } } : {}),
      models: modelsOf(routes.map((unit) => unit.outcome.decision)),
      ...(shownPrompt ? { prompt: shownPrompt } : {}),
    });
  }
  return {
    pipeline: pipeline.name,
    policy: policy.file,
    order,
    totalCostUsd: {
      min: nanoToUsd(order.reduce((sum, step) => sum + usdToNano(step.costUsd.min), 0)),
      max: nanoToUsd(order.reduce((sum, step) => sum + usdToNano(step.costUsd.max), 0)),
    },
    perItemSteps: order.filter((step) => step.items !== undefined && step.items.count === undefined).map((step) => step.step),
    budgetLeftUsd,
  };
}

function requestOf(workspace: Workspace, step: PipelineStep, estimatedInputTokens: number, worstCaseInputTokens: number): RouteRequest {
  return {
    step: step.name,
    pipeline: workspace.pipeline.name,
    task: step.task,
    ...(step.language === undefined ? {} : { language: step.language }),
    quality: step.quality,
    estimatedInputTokens,
    worstCaseInputTokens,
    maxOutputTokens: step.maxTokens,
    ...(step.batch === undefined ? {} : { batch: true }),
    sensitive: step.sensitive,
    tags: step.tags,
    ...(step.model === undefined ? {} : { pinnedModel: step.model }),
    ...(step.maxCostUsd === undefined ? {} : { maxCostUsd: step.maxCostUsd }),
    ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
  };
}

function scrubbed(messages: readonly ChatMessage[], redact: Redactor): ChatMessage[] {
  return messages.map((message) => ({ role: message.role, content: redact(message.content) }));
}

/**
 * Every unit on its first candidate, summed in nano-dollars: at the least its smallest prompt
 * (upstream outputs empty) and an empty answer; at the most the candidate's own worst case, the
 * figure a run reserves. Nothing at the least when `when` may skip the step.
 */
function stepCost(routes: readonly { outcome: RouteOutcome; estimate: number }[], maySkip: boolean): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const { outcome, estimate } of routes) {
    const first = outcome.decision.candidates[0];
    if (!first?.prices || first.pricing !== "metered") continue;
    min += costRangeNano(first.prices, estimate, 0).min;
    max += costRangeNano(first.prices, first.worstCaseTokens.input, first.worstCaseTokens.output).max;
  }
  return { min: maySkip ? 0 : nanoToUsd(min), max: nanoToUsd(max) };
}

function modelsOf(decisions: readonly Decision[]): StepPlan["models"] {
  const counts = new Map<string, number>();
  for (const decision of decisions) {
    const first = decision.candidates[0];
    const target = first ? `${first.provider}:${first.model}` : "none";
    counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return [...counts].map(([target, units]) => ({ target, units })).sort((a, b) => b.units - a.units || a.target.localeCompare(b.target));
}

