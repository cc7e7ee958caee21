import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { findRun } from "../../report/call-log/find-run.js";
import { diffRuns } from "../../report/call-log/run-diff.js";
import { buildRunView } from "../../report/call-log/run-view.js";
import type { CallLogStore } from "../../contracts/call-log-store.js";
import type { RunRow } from "../../contracts/run-store.js";
import { resolveProject } from "../../project/resolve-project.js";
import { openStore } from "../../store/index.js";
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

    const store = await openStore((await resolveProject(output.env)).databaseFile(values.db));
    try {
      const named: RunRow[] = [];
      for (const reference of positionals) named.push(await findRun(store.callLog, reference, store.location));
      const [a, b] = named.length === 2 ? (named as [RunRow, RunRow]) : [await previousRun(store.callLog, named[0]!, store.location), named[0]!];
      const diff = diffRuns(await viewOf(store.callLog, a), await viewOf(store.callLog, b));
      if (values.json) output.out(JSON.stringify(diff, null, 2));
      else for (const line of format === "markdown" ? renderDiffMarkdown(diff) : renderDiffText(diff, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};

async function previousRun(log: CallLogStore, run: RunRow, database: string): Promise<RunRow> {
  const previous = await log.runBefore(run);
  if (!previous) throw new UsageError({ message: `run ${run.id} is the first of ${run.pipeline_name} in ${database}: nothing to compare it with`, hint: "name two runs: orch diff RUN_A RUN_B" });
  return previous;
}

async function viewOf(log: CallLogStore, run: RunRow) {
  return buildRunView(run, await log.steps(run.id), await log.calls(run.id));
}
