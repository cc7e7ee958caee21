import { loadPolicyCasesFile, loadPolicyFile } from "../../config/load-config.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { createPriceLookup } from "../../executor/prices.js";
import { runPolicyCases } from "../../policy/policy-test.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { jsonFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderPolicyTest } from "../render/policy-test-report.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch policy test <policy.yaml> <cases.yaml> [--json]";

const flags = defineFlags({ json: jsonFlag });

export const policyCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    const [subcommand, policyFile, casesFile, ...extra] = positionals;
    if (subcommand !== "test") {
      throw new UsageError({ message: subcommand === undefined ? "missing subcommand" : `unknown subcommand "policy ${subcommand}"`, hint: `usage: ${usage}` });
    }
    if (policyFile === undefined || casesFile === undefined || extra.length > 0) {
      throw new UsageError({ message: extra.length > 0 ? `unexpected argument "${extra[0]}"` : "expected a policy file and a cases file", hint: `usage: ${usage}` });
    }
    const project = await resolveProject(output.env);
    const policy = await loadPolicyFile(policyFile, project.env, { name: project.settings?.name });
    const cases = await loadPolicyCasesFile(casesFile, policy);
    // Availability and money come from each case (every provider up, every budget full unless it
    // says otherwise), never from this machine: the same cases pass in CI and on a laptop.
    const result = runPolicyCases(policy.policy, cases.cases, { pricesFor: createPriceLookup(policy.policy) });
    if (values.json) output.out(JSON.stringify({ policy: policy.file, cases: cases.file, ...result }, null, 2));
    else for (const line of renderPolicyTest(result, policy, cases, output.style)) output.out(line);
    return result.failed.length > 0 ? exitCodes.stepFailed : exitCodes.success;
  },
};
