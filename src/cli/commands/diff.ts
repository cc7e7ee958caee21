import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { findRun } from "../../report/call-log/find-run.js";
import { diffRuns } from "../../report/call-log/run-diff.js";
import { buildRunView } from "../../report/call-log/run-view.js";
import type { CallLogRepository } from "../../store/call-log-repository.js";
import type { RunRow } from "../../store/run-repository.js";
import { defaultDatabasePath, openStore } from "../../store/index.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderDiffMarkdown, renderDiffText } from "../render/diff-text.js";

const usage =
  "orch diff [RUN_A] RUN_B [--format text|markdown] [--json] [--db FILE]   (runs by id, the start of one, or latest; with one run, the one before it of the same pipeline is RUN_A)";

const flags = defineFlags({
  format: { type: "string", placeholder: "text|markdown", description: "how to print the differences", defaultText: "text" },
  json: jsonFlag,
  db: databaseFlag,
});

export const diffCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    if (positionals.length === 0 || positionals.length > 2) {
      throw new UsageError({ message: positionals.length === 0 ? "expected the runs to compare" : `unexpected argument "${positionals[2]}"`, hint: `usage: ${usage}` });
    }
    const format = values.format ?? "text";
    if (format !== "text" && format !== "markdown") throw new UsageError({ message: `--format expects text or markdown, got "${format}"`, hint: `usage: ${usage}` });
    if (values.json && values.format !== undefined) throw new UsageError({ message: "--json and --format cannot be combined", hint: `usage: ${usage}` });

    const store = openStore(values.db ?? defaultDatabasePath(output.env));
    try {
      const named = positionals.map((reference) => findRun(store.callLog, reference, store.file));
      const [a, b] = named.length === 2 ? (named as [RunRow, RunRow]) : [previousRun(store.callLog, named[0]!, store.file), named[0]!];
      const diff = diffRuns(viewOf(store.callLog, a), viewOf(store.callLog, b));
      if (values.json) output.out(JSON.stringify(diff, null, 2));
      else for (const line of format === "markdown" ? renderDiffMarkdown(diff) : renderDiffText(diff, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      store.close();
    }
  },
};

function previousRun(log: CallLogRepository, run: RunRow, database: string): RunRow {
  const previous = log.runBefore(run);
  if (!previous) throw new UsageError({ message: `run ${run.id} is the first of ${run.pipeline_name} in ${database}: nothing to compare it with`, hint: "name two runs: orch diff RUN_A RUN_B" });
  return previous;
}

function viewOf(log: CallLogRepository, run: RunRow) {
  return buildRunView(run, log.steps(run.id), log.calls(run.id));
}
