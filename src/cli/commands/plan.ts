import { formatBalance, formatUsd } from "../../money/format-usd.js";
import { exitCodes } from "../../errors/orch-error.js";
import { parseSetArguments, resolveInputs } from "../../pipeline/inputs.js";
import { createRedactor } from "../../secrets/redact.js";
import { openStore } from "../../store/index.js";
import { loadWorkspace } from "../../workspace/load-workspace.js";
import { openProviders } from "../../workspace/open-providers.js";
import { droppedBecause } from "../../policy/explain.js";
import { planPipeline, type PipelinePlan, type StepPlan } from "../../workspace/plan.js";
import { defineFlags, exactlyOne, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag, policyFlag, setFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import type { Style } from "../output.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch plan <pipeline> [--set name=value]… [--policy FILE] [--json] [--db FILE]";

const flags = defineFlags({ set: setFlag, policy: policyFlag, json: jsonFlag, db: databaseFlag });

export const planCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      flags,
      usage,
    );
    const project = await resolveProject(output.env);
    const workspace = await loadWorkspace(exactlyOne(positionals, "pipeline file", usage), project.workspaceOptions(values.policy));
    const inputs = resolveInputs(workspace.pipeline, parseSetArguments(values.set ?? []));
    const store = await openStore(project.databaseFile(values.db));
    const providers = openProviders(workspace.policy, { env: project.env });
    try {
      const plan = await planPipeline(workspace, inputs, store, providers.set, { redact: createRedactor(providers.secrets) });
      if (values.json) output.out(JSON.stringify(plan, null, 2));
      else for (const line of renderPlan(plan, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await providers.close();
      await store.close();
    }
  },
};

function renderPlan(plan: PipelinePlan, style: Style): string[] {
  const lines = [`${style.bold("plan")} ${plan.pipeline} · policy ${plan.policy} · ${plan.order.length} steps in execution order`, ""];
  plan.order.forEach((step, index) => {
    const first = step.decision.candidates[0];
    const route = first ? `${first.reference}${first.reference === `${first.provider}:${first.model}` ? "" : ` (${first.provider}:${first.model})`}` : style.red("no usable model");
    const fallbacks = step.decision.candidates.slice(1).map((candidate) => candidate.reference);
    lines.push(`${String(index + 1).padStart(2)}. ${style.bold(step.step)}${step.needs.length ? style.dim(` ← ${step.needs.join(", ")}`) : ""}`);
    if (step.when) lines.push(whenLine(step.when, style));
    if (step.items) lines.push(`    for_each ${step.items.count === undefined ? `items unknown until the run: ${step.items.reason}; costs below are per item` : `${step.items.count} item${step.items.count === 1 ? "" : "s"}`}`);
    const perItem = step.items ? " per item" : "";
    lines.push(`    ${step.task}${step.language ? `/${step.language}` : ""} · ${step.quality} · ~${step.inputTokens.min}–${step.inputTokens.max} tokens in${perItem}, ≤${step.maxOutputTokens} out`);
    lines.push(`    route ${route} via ${step.decision.matched}${fallbacks.length ? ` · then ${fallbacks.join(", ")}` : ""}`);
    if (step.models.length > 1) lines.push(`    items routed to ${step.models.map((model) => `${model.target} ×${model.units}`).join(", ")}`);
    lines.push(`    cost  ${formatUsd(step.costUsd.min)} – ${formatUsd(step.costUsd.max)}${step.items?.count !== undefined && step.items.count !== 1 ? ` for ${step.items.count} items` : ""}`);
    for (const note of step.decision.notes.filter((candidateNote) => !candidateNote.kept)) lines.push(style.dim(`    dropped ${note.reference}: ${droppedBecause(note)}`));
    if (step.decision.exhausted) lines.push(style.yellow(`    when nothing fits: ${step.decision.exhausted.action} (${step.decision.exhausted.reason})`));
  });
  const left = Object.entries(plan.budgetLeftUsd).map(([scope, usd]) => `${scope} ${formatBalance(usd)}`);
  const perItem = plan.perItemSteps.length ? ` (one item of ${plan.perItemSteps.join(", ")})` : "";
  lines.push("", `total ${formatUsd(plan.totalCostUsd.min)} – ${formatUsd(plan.totalCostUsd.max)}${perItem}${left.length ? ` · budget left: ${left.join(", ")}` : ""}`);
  return lines;
}

function whenLine(when: NonNullable<StepPlan["when"]>, style: Style): string {
  if (when.outcome === "skipped") return style.yellow(`    skipped: ${when.expression}${when.expression.startsWith("needs ") ? "" : " is false"} · costs nothing`);
  if (when.outcome === "runs") return style.dim(`    when ${when.expression}: true`);
  return style.yellow(`    may be skipped: when ${when.expression} reads upstream outputs · least cost $0`);
}
