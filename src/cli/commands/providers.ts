import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes } from "../../errors/orch-error.js";
import { loadEnvironment } from "../../providers/shared/environment.js";
import { checkProviders, type ProviderStatus } from "../../providers/status.js";
import { parseCommandArguments, positiveInteger } from "../arguments.js";
import type { Command } from "../main.js";
import type { Style } from "../output.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch providers [--policy FILE] [--json] [--timeout SECONDS]";

export const providersCommand: Command = {
  usage,
  async run(args, output) {
    const { values } = parseCommandArguments(args, { policy: { type: "string" }, json: { type: "boolean" }, timeout: { type: "string" } }, usage);
    const project = await resolveProject(output.env);
    const policy = await loadPolicyFile(project.requirePolicyFile(values.policy, usage), project.env);
    const timeoutSeconds = positiveInteger(values.timeout, "--timeout") ?? 10;
    const env = { ...loadEnvironment({ env: project.env, workingDirectory: process.cwd() }) };
    const statuses = await checkProviders(policy.policy, { env, workingDirectory: process.cwd(), policyDirectory: policy.directory }, { timeoutMs: timeoutSeconds * 1000 });
    if (values.json) output.out(JSON.stringify(statuses, null, 2));
    else for (const line of renderStatuses(policy.file, statuses, output.style)) output.out(line);
    return statuses.some((status) => status.neededByPolicy && !status.usable) ? exitCodes.stepFailed : exitCodes.success;
  },
};

function renderStatuses(file: string, statuses: readonly ProviderStatus[], style: Style): string[] {
  const lines = [`${style.bold("providers")} of ${file}`, ""];
  for (const status of statuses) {
    const mark = status.usable ? style.green("✓") : status.neededByPolicy ? style.red("✗") : style.yellow("·");
    const key = status.keyVariable === undefined ? "" : ` · key ${status.keyVariable} ${status.keySet ? "set" : style.red("not set")}`;
    const reach = status.reachable ? "reachable" : style.red("unreachable");
    lines.push(`${mark} ${style.bold(status.id)} (${status.type}, ${status.pricing}${status.local && status.pricing !== "local" ? ", local" : ""})${key} · ${reach}`);
    if (status.reason) lines.push(`    ${status.reason}`);
    if (status.serverModels) lines.push(`    pulled: ${status.serverModels.join(", ") || "none"}`);
    for (const model of status.models) {
      lines.push(`    ${model.usable ? style.green("✓") : style.red("✗")} ${model.model}${model.reason ? ` — ${model.reason}` : ""}`);
    }
    if (!status.neededByPolicy) lines.push(style.dim("    no model of the policy uses it"));
  }
  return lines;
}
