/**
 * `orch plan`: the route every step would take now and what it may cost, without calling a model.
 * Upstream outputs do not exist yet, so the input estimate is a range: the prompt with empty
 * upstream outputs, up to the prompt plus every upstream step's full `max_tokens`.
 */
import type { ProviderSet } from "../executor/run-pipeline.js";
import type { PipelineStep } from "../pipeline/model.js";
import { renderStepMessages, type UpstreamOutput } from "../pipeline/render.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { Decision, RouteRequest } from "../policy/decision.js";
import type { ChatMessage } from "../providers/provider.js";
import { costRange } from "../policy/candidates.js";
import { estimatePromptTokens } from "../policy/estimate-tokens.js";
import { checkTemplate } from "../pipeline/template.js";
import type { OrchStore } from "../store/index.js";
import type { Workspace } from "./load-workspace.js";
import { createRouter } from "./route-request.js";
import { promptLoggingOf } from "../executor/call-log.js";
import type { Redactor } from "../secrets/redact.js";

export interface StepPlan {
  step: string;
  needs: readonly string[];
  task: string;
  quality: string;
  language?: string;
  inputTokens: { min: number; max: number };
  maxOutputTokens: number;
  decision: Decision;
  /** The first candidate's cost range: the route taken if nothing fails. */
  costUsd: { min: number; max: number };
  /**
   * The rendered messages, secrets scrubbed, when they are known before running: the step reads no
   * upstream output and is not a for_each step. Never for a sensitive step or under `log.prompts: hashes`.
   */
  prompt?: ChatMessage[];
}

export interface PipelinePlan {
  pipeline: string;
  policy: string;
  order: StepPlan[];
  totalCostUsd: { min: number; max: number };
  budgetLeftUsd: Partial<Record<"run" | "day" | "month", number>>;
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
  let budgetLeftUsd: PipelinePlan["budgetLeftUsd"] = {};

  const order: StepPlan[] = [];
  for (const name of pipeline.order) {
    const step = pipeline.steps.get(name)!;
    const { prompt, ...inputTokens } = await estimateInputRange(workspace, step, inputs, emptyOutputs);
    const shownPrompt = prompt && promptLoggingOf({ policy: policy.policy }, step) === "full" ? scrubbed(prompt, options.redact ?? ((text) => text)) : undefined;
    const request: RouteRequest = {
      step: name,
      pipeline: pipeline.name,
      task: step.task,
      ...(step.language === undefined ? {} : { language: step.language }),
      quality: step.quality,
      estimatedInputTokens: inputTokens.max,
      maxOutputTokens: step.maxTokens,
      sensitive: step.sensitive,
      tags: step.tags,
      ...(step.model === undefined ? {} : { pinnedModel: step.model }),
    };
    const routed = route(request);
    const decision = routed.decision;
    budgetLeftUsd = routed.budgetLeftUsd;
    const first = decision.candidates[0];
    // The worst case is the candidate's own (largest prompt, output cap); the least, the smallest prompt alone.
    const costUsd = first?.prices ? { min: costRange(first.prices, inputTokens.min, 0).min, max: first.estimatedCostUsd.max } : { min: 0, max: 0 };
    order.push({
      step: name,
      needs: step.needs,
      task: step.task,
      quality: step.quality,
      ...(step.language === undefined ? {} : { language: step.language }),
      inputTokens,
      maxOutputTokens: step.maxTokens,
      decision,
      costUsd,
      ...(shownPrompt ? { prompt: shownPrompt } : {}),
    });
  }
  return {
    pipeline: pipeline.name,
    policy: policy.file,
    order,
    totalCostUsd: {
      min: order.reduce((sum, step) => sum + step.costUsd.min, 0),
      max: order.reduce((sum, step) => sum + step.costUsd.max, 0),
    },
    budgetLeftUsd,
  };
}

async function estimateInputRange(
  workspace: Workspace,
  step: PipelineStep,
  inputs: InputValues,
  emptyOutputs: ReadonlyMap<string, UpstreamOutput>,
): Promise<{ min: number; max: number; prompt?: ChatMessage[] }> {
  let messages: ChatMessage[];
  let rendered = false;
  try {
    messages = await renderStepMessages(workspace.pipeline, step, inputs, emptyOutputs);
    rendered = true;
  } catch {
    messages = [...(step.system ? [{ role: "system" as const, content: step.system.text }] : []), { role: "user", content: step.prompt.text }];
  }
  const min = estimatePromptTokens(messages);
  const readSteps = new Set(
    [step.prompt, step.system].flatMap((source) => {
      const check = source ? checkTemplate(source.text) : undefined;
      return check?.ok ? check.stepReferences.map((reference) => reference.step) : [];
    }),
  );
  const upstreamMax = [...readSteps].reduce((sum, name) => sum + (workspace.pipeline.steps.get(name)?.maxTokens ?? 0), 0);
  const known = rendered && readSteps.size === 0 && !step.forEach;
  return { min, max: min + upstreamMax, ...(known ? { prompt: messages } : {}) };
}

function scrubbed(messages: readonly ChatMessage[], redact: Redactor): ChatMessage[] {
  return messages.map((message) => ({ role: message.role, content: redact(message.content) }));
}
