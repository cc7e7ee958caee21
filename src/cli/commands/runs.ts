import path from "node:path";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { parseDuration } from "../../policy/duration.js";
import type { RunStatus } from "../../contracts/run-store.js";
import { resolveProject } from "../../project/resolve-project.js";
import { openStore } from "../../store/index.js";
import { defineFlags, noPositionals, parseCommandArguments, positiveInteger } from "../arguments.js";
import { databaseFlag, jsonFlag, sinceFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { runListing } from "../../report/call-log/run-listing.js";
import { renderRuns } from "../render/runs-table.js";

const usage = "orch runs [--pipeline NAME|FILE] [--status STATUS] [--since DURATION] [--limit N (default 20)] [--json] [--db FILE]";

const statuses: readonly RunStatus[] = ["running", "succeeded", "failed", "budget_stopped", "deferred", "interrupted"];

const flags = defineFlags({
  pipeline: { type: "string", placeholder: "NAME|FILE", description: "only runs of this pipeline (its name or its file)" },
  status: { type: "string", placeholder: "STATUS", description: `only runs with this status (${statuses.join(", ")})` },
  since: sinceFlag,
  limit: { type: "string", placeholder: "N", description: "most runs to list, newest first", defaultText: "20" },
  json: jsonFlag,
  db: databaseFlag,
});

export const runsCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    noPositionals(positionals, usage);
    const status = values.status;
    if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
      throw new UsageError({ message: `--status expects one of ${statuses.join(", ")}, got "${status}"` });
    }
    const sinceMs = values.since === undefined ? undefined : parseDuration(values.since);
    if (values.since !== undefined && !sinceMs) throw new UsageError({ message: `--since expects a duration such as 12h, 7d or 1d12h, got "${values.since}"` });
    const limit = positiveInteger(values.limit, "--limit", 10_000) ?? 20;

    const store = await openStore((await resolveProject(output.env)).databaseFile(values.db));
    try {
      const rows = await store.callLog.listRuns({
        ...(values.pipeline === undefined ? {} : { pipeline: { name: values.pipeline, file: path.resolve(values.pipeline) } }),
        ...(status === undefined ? {} : { status: status as RunStatus }),
        ...(sinceMs === undefined ? {} : { sinceIso: new Date(Date.now() - sinceMs).toISOString() }),
        limit,
      });
      const runs = rows.map(runListing);
      if (values.json) output.out(JSON.stringify(runs, null, 2));
      else for (const line of renderRuns(runs, store.location, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};
