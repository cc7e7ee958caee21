import type { Diagnostic } from "../../config/diagnostic.js";
import { ConfigError } from "../../config/diagnostic.js";
import type { ProjectIdentity } from "../../config/team-budget-checks.js";
import { loadConfigFile, PipelineSchemaError, type LoadedPolicy } from "../../config/load-config.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { loadWorkspace } from "../../workspace/load-workspace.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { policyFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch validate <file…> [--policy FILE]";

const flags = defineFlags({ policy: { ...policyFlag, description: "routing policy to check pipelines against" } });

export const validateCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    if (positionals.length === 0) throw new UsageError({ message: "no file to validate", hint: `usage: ${usage}` });
    const project = await resolveProject(output.env);
    const diagnostics: Diagnostic[] = [];
    for (const file of positionals) {
      try {
        const loaded = await loadPolicyOrRecognisePipeline(file, project.env, { name: project.settings?.name });
        if (loaded !== "pipeline") {
          output.out(`${output.style.green("✓")} ${file}: routing policy, ${Object.keys(loaded.policy.providers).length} providers, ${(loaded.policy.rules ?? []).length} rules`);
          continue;
        }
        const workspace = await loadWorkspace(file, project.workspaceOptions(values.policy));
        output.out(`${output.style.green("✓")} ${file}: pipeline "${workspace.pipeline.name}", ${workspace.pipeline.steps.size} steps, policy ${workspace.policy.file}`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        diagnostics.push(...error.diagnostics);
      }
    }
    if (diagnostics.length > 0) throw new ConfigError(diagnostics);
    return exitCodes.success;
  },
};

/** A pipeline with schema errors is still a pipeline: it goes through the workspace checks, which report everything. */
async function loadPolicyOrRecognisePipeline(file: string, env: NodeJS.ProcessEnv, project: ProjectIdentity): Promise<LoadedPolicy | "pipeline"> {
  try {
    const loaded = await loadConfigFile(file, env, project);
    return loaded.kind === "policy" ? loaded : "pipeline";
  } catch (error) {
    if (error instanceof PipelineSchemaError) return "pipeline";
    throw error;
  }
}
