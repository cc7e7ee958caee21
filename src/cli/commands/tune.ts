/**
 * `orch tune`: the cheapest chain of recorded models reaching a target pass rate, searched on
 * three quarters of the recorded requests and checked on the quarter held out, printed with its
 * figures and as a policy snippet to review and commit.
 */
import { observationOf, recordedUnitsOf } from "../../executor/learning.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { parseDuration } from "../../policy/duration.js";
import { SuccessEstimates } from "../../policy/success-estimates.js";
import { asRecorded, evaluateChain, splitUnits, tuneChain } from "../../policy/tune.js";
import { resolveProject } from "../../project/resolve-project.js";
import { openStore } from "../../store/index.js";
import { defineFlags, noPositionals, parseCommandArguments, positiveInteger } from "../arguments.js";
import { databaseFlag, jsonFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderTune } from "../render/tune-summary.js";

const usage = "orch tune [--since DURATION] [--target-pass-rate R] [--max-length N] [--db FILE] [--json]";

const flags = defineFlags({
  since: { type: "string", placeholder: "DURATION", description: "the recorded requests to learn from: those of this long ago until now", defaultText: "30d" },
  "target-pass-rate": { type: "string", placeholder: "R", description: "the pass rate the chain must reach (above 0, at most 1)", defaultText: "the recorded pass rate" },
  "max-length": { type: "string", placeholder: "N", description: "the most models in a chain (1 to 6)", defaultText: "4" },
  db: databaseFlag,
  json: jsonFlag,
});

export const tuneCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    noPositionals(positionals, usage);
    const sinceMs = parseDuration(values.since ?? "30d");
    if (sinceMs === undefined) throw new UsageError({ message: `--since: "${values.since}" is not a duration`, hint: "write it as 30d, 12h or 1d12h" });
    const target = values["target-pass-rate"] === undefined ? undefined : Number(values["target-pass-rate"]);
    if (target !== undefined && !(target > 0 && target <= 1)) {
      throw new UsageError({ message: `--target-pass-rate: "${values["target-pass-rate"]}" is not a rate`, hint: "give a number above 0 and at most 1, e.g. 0.8" });
    }
    const maxLength = positiveInteger(values["max-length"], "--max-length", 6) ?? 4;

    const store = await openStore((await resolveProject(output.env)).databaseFile(values.db));
    try {
      const rows = await store.history.settledCalls(new Date(Date.now() - sinceMs).toISOString());
      const keys = [...new Set(rows.map((row) => row.unit))];
      if (keys.length < 4) {
        throw new UsageError({
          message: `${keys.length} recorded requests with a verdict since ${values.since ?? "30d"}; at least 4 are needed (3 to train on, 1 to check)`,
          hint: "run pipelines first, or widen --since",
        });
      }
      const trainKeys = new Set(splitUnits(keys).train);
      const trainRows = rows.filter((row) => trainKeys.has(row.unit));
      const train = recordedUnitsOf(trainRows);
      const validation = recordedUnitsOf(rows.filter((row) => !trainKeys.has(row.unit)));
      const estimates = SuccessEstimates.of(trainRows.map(observationOf));
      const models = modelsByCost(rows);
      const targetPassRate = target ?? asRecorded(train).passRate;
      const result = tuneChain({ models, train, targetPassRate, maxLength, estimates });
      const summary = {
        since: values.since ?? "30d",
        targetPassRate,
        models,
        chainsTried: result.chainsTried,
        reachedTarget: result.reachedTarget,
        chain: result.best.chain,
        training: { tuned: result.best, recorded: asRecorded(train) },
        validation: { tuned: evaluateChain(result.best.chain, validation, estimates), recorded: asRecorded(validation) },
      };
      if (values.json) output.out(JSON.stringify(summary, null, 2));
      else for (const line of renderTune(summary, output.style)) output.out(line);
      return result.reachedTarget ? exitCodes.success : exitCodes.stepFailed;
    } finally {
      await store.close();
    }
  },
};

/** Recorded targets, cheapest average call first: a chain escalates toward dearer models. */
function modelsByCost(rows: readonly { target: string; costUsd: number }[]): string[] {
  const totals = new Map<string, { calls: number; costUsd: number }>();
  for (const row of rows) {
    const total = totals.get(row.target) ?? { calls: 0, costUsd: 0 };
    total.calls++;
    total.costUsd += row.costUsd;
    totals.set(row.target, total);
  }
  return [...totals].sort(([, a], [, b]) => a.costUsd / a.calls - b.costUsd / b.calls).map(([target]) => target);
}
