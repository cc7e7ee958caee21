/**
 * `orch backtest POLICY`: the recorded requests replayed under another policy (policy/backtest.ts),
 * its pass rate and cost against what happened, in all and per step, exact where the policy's
 * models were recorded on a request and marked as estimated where not.
 */
import { observationOf, recordedUnitsOf, routingHistoryWindowMs } from "../../executor/learning.js";
import { createPriceLookup } from "../../executor/prices.js";
import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { backtest } from "../../policy/backtest.js";
import { parseDuration } from "../../policy/duration.js";
import { assumedProviderStates, fullBudget } from "../../policy/policy-test.js";
import { SuccessEstimates } from "../../policy/success-estimates.js";
import { resolveProject } from "../../project/resolve-project.js";
import { openStore } from "../../store/index.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderBacktest } from "../render/backtest-summary.js";

const usage = "orch backtest POLICY [--since DURATION | --runs ID,ID…] [--db FILE] [--json]";

const flags = defineFlags({
  since: { type: "string", placeholder: "DURATION", description: "replay the requests recorded this long ago until now", defaultText: "30d" },
  runs: { type: "string", placeholder: "ID,ID…", description: "replay only the requests of these runs (not with --since)" },
  db: databaseFlag,
  json: jsonFlag,
});

export const backtestCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    if (positionals.length !== 1) throw new UsageError({ message: positionals.length === 0 ? "which policy? give its file" : `unexpected argument "${positionals[1]}"`, hint: `usage: ${usage}` });
    if (values.since !== undefined && values.runs !== undefined) throw new UsageError({ message: "--since and --runs both choose the requests", hint: "give one of them" });
    const runs = values.runs?.split(",").map((run) => run.trim()).filter((run) => run !== "");
    // Named runs are looked for in the whole routing history window.
    const since = values.since ?? "30d";
    const sinceMs = parseDuration(since);
    if (sinceMs === undefined) throw new UsageError({ message: `--since: "${since}" is not a duration`, hint: "write it as 30d, 12h or 1d12h" });
    const project = await resolveProject(output.env);
    const policy = await loadPolicyFile(positionals[0]!, project.env);

    const store = await openStore(project.databaseFile(values.db));
    try {
      const now = new Date();
      const recorded = await store.history.settledCalls(new Date(now.getTime() - (runs ? routingHistoryWindowMs : sinceMs)).toISOString());
      const rows = runs ? recorded.filter((row) => runs.some((run) => row.unit.startsWith(`${run}|`))) : recorded;
      const result = backtest(recordedUnitsOf(rows), policy.policy, {
        now: now.getTime(),
        budgetLeftUsd: fullBudget(policy.policy),
        providers: assumedProviderStates(policy.policy),
        estimates: SuccessEstimates.of(rows.map(observationOf)),
        pricesFor: createPriceLookup(policy.policy),
      });
      const chosen = runs ? `in runs ${runs.join(", ")}` : `since ${since}`;
      if (values.json) output.out(JSON.stringify({ policy: policy.file, ...(runs ? { runs } : { since }), ...result }, null, 2));
      else for (const line of renderBacktest({ policyFile: policy.file, chosen, ...result }, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};
