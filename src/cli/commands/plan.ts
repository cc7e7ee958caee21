import { formatBalance, formatUsd } from "../../money/format-usd.js";
import { exitCodes } from "../../errors/orch-error.js";
import { parseSetArguments, resolveInputs } from "../../pipeline/inputs.js";
import { openStore, defaultDatabasePath } from "../../store/index.js";
import { loadWorkspace } from "../../workspace/load-workspace.js";
import { openProviders } from "../../workspace/open-providers.js";
import { droppedBecause } from "../../policy/explain.js";
import { planPipeline, type PipelinePlan } from "../../workspace/plan.js";
import { exactlyOne, parseCommandArguments } from "../arguments.js";
import type { Command } from "../main.js";
import type { Style } from "../output.js";

const usage = "orch plan <pipeline> [--set name=value]… [--policy FILE] [--json] [--db FILE]";

export const planCommand: Command = {
  usage,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      { set: { type: "string", multiple: true }, policy: { type: "string" }, json: { type: "boolean" }, db: { type: "string" } },
      usage,
    );
    const workspace = await loadWorkspace(exactlyOne(positionals, "pipeline file", usage), { env: output.env, ...(values.policy === undefined ? {} : { policyFile: values.policy }) });
    const inputs = resolveInputs(workspace.pipeline, parseSetArguments(values.set ?? []));
    const store = openStore(values.db ?? defaultDatabasePath(output.env));
    const providers = openProviders(workspace.policy, { env: output.env });
    try {
      const plan = await planPipeline(workspace, inputs, store, providers.set);
      if (values.json) output.out(JSON.stringify(plan, null, 2));
      else for (const line of renderPlan(plan, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await providers.close();
      store.close();
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
    lines.push(`    ${step.task}${step.language ? `/${step.language}` : ""} · ${step.quality} · ~${step.inputTokens.min}–${step.inputTokens.max} tokens in, ≤${step.maxOutputTokens} out`);
    lines.push(`    route ${route} via ${step.decision.matched}${fallbacks.length ? ` · then ${fallbacks.join(", ")}` : ""}`);
    lines.push(`    cost  ${formatUsd(step.costUsd.min)} – ${formatUsd(step.costUsd.max)}`);
    for (const note of step.decision.notes.filter((candidateNote) => !candidateNote.kept)) lines.push(style.dim(`    dropped ${note.reference}: ${droppedBecause(note)}`));
    if (step.decision.exhausted) lines.push(style.yellow(`    when nothing fits: ${step.decision.exhausted.action} (${step.decision.exhausted.reason})`));
  });
  const left = Object.entries(plan.budgetLeftUsd).map(([scope, usd]) => `${scope} ${formatBalance(usd)}`);
  lines.push("", `total ${formatUsd(plan.totalCostUsd.min)} – ${formatUsd(plan.totalCostUsd.max)}${left.length ? ` · budget left: ${left.join(", ")}` : ""}`);
  return lines;
}
