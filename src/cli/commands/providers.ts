import { existsSync } from "node:fs";
import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes } from "../../errors/orch-error.js";
import { createProviderHealth, failuresBeforeCooldown } from "../../executor/provider-health.js";
import { formatClock } from "../../policy/format.js";
import { isPostgresUrl, openStore } from "../../store/index.js";
import { loadEnvironment } from "../../providers/shared/environment.js";
import { checkProviders, type ProviderStatus } from "../../providers/status.js";
import { defineFlags, parseCommandArguments, positiveInteger } from "../arguments.js";
import { databaseFlag, jsonFlag, policyFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import type { Style } from "../output.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch providers [--policy FILE] [--json] [--timeout SECONDS] [--db FILE]";

const flags = defineFlags({
  policy: policyFlag,
  json: jsonFlag,
  timeout: { type: "string", placeholder: "SECONDS", description: "how long to wait for each provider to answer the probe", defaultText: "10" },
  db: databaseFlag,
});

export const providersCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values } = parseCommandArguments(args, flags, usage);
    const project = await resolveProject(output.env);
    const policy = await loadPolicyFile(project.requirePolicyFile(values.policy, usage), project.env, { name: project.settings?.name });
    const timeoutSeconds = positiveInteger(values.timeout, "--timeout") ?? 10;
    const env = { ...loadEnvironment({ env: project.env, workingDirectory: process.cwd() }) };
    const probed = await checkProviders(policy.policy, { env, workingDirectory: process.cwd(), policyDirectory: policy.directory }, { timeoutMs: timeoutSeconds * 1000 });
    const statuses = await withCooldownsOf(probed, project.databaseFile(values.db));
    if (values.json) output.out(JSON.stringify(statuses, null, 2));
    else for (const line of renderStatuses(policy.file, statuses, output.style, policy.policy.budget?.time_zone)) output.out(line);
    return statuses.some((status) => status.neededByPolicy && !status.usable) ? exitCodes.stepFailed : exitCodes.success;
  },
};

/** Reachable is not usable when a run would pass the provider over: the same history a run reads. */
async function withCooldownsOf(statuses: ProviderStatus[], databaseFile: string): Promise<ProviderStatus[]> {
  // No database file yet means no history: nothing to cool down, and no reason to create one.
  if (!isPostgresUrl(databaseFile) && !existsSync(databaseFile)) return statuses;
  const now = Date.now();
  const store = await openStore(databaseFile);
  try {
    const health = await createProviderHealth(store.history, now);
    return statuses.map((status) => {
      const until = health.coolingDownUntil(status.id, now);
      return until === undefined ? status : { ...status, coolingDownUntil: new Date(until).toISOString() };
    });
  } finally {
    await store.close();
  }
}

function renderStatuses(file: string, statuses: readonly ProviderStatus[], style: Style, timeZone: string | undefined): string[] {
  const lines = [`${style.bold("providers")} of ${file}`, ""];
  for (const status of statuses) {
    const mark = status.usable ? style.green("✓") : status.neededByPolicy ? style.red("✗") : style.yellow("·");
    const key = status.keyVariable === undefined ? "" : ` · key ${status.keyVariable} ${status.keySet ? "set" : style.red("not set")}`;
    const reach = status.reachable ? "reachable" : style.red("unreachable");
    lines.push(`${mark} ${style.bold(status.id)} (${status.type}, ${status.pricing}${status.local && status.pricing !== "local" ? ", local" : ""})${key} · ${reach}`);
    if (status.reason) lines.push(`    ${status.reason}`);
    if (status.coolingDownUntil !== undefined) {
      const until = formatClock(Date.parse(status.coolingDownUntil), timeZone);
      lines.push(style.yellow(`    cooling down until ${until}: its last ${failuresBeforeCooldown} calls failed (server, network, timeout or rate limit); runs pass it over until then`));
    }
    if (status.serverModels) lines.push(`    pulled: ${status.serverModels.join(", ") || "none"}`);
    for (const model of status.models) {
      lines.push(`    ${model.usable ? style.green("✓") : style.red("✗")} ${model.model}${model.reason ? ` — ${model.reason}` : ""}`);
    }
    if (!status.neededByPolicy) lines.push(style.dim("    no model of the policy uses it"));
  }
  return lines;
}
