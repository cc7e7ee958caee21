import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { findRun } from "../../report/call-log/find-run.js";
import { buildRunView } from "../../report/call-log/run-view.js";
import { resolveProject } from "../../project/resolve-project.js";
import { openStore } from "../../store/index.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderRun, renderStep } from "../render/show-text.js";

const usage = "orch show RUN|latest [STEP] [--json] [--db FILE]   (RUN may be the start of a run id)";

const flags = defineFlags({ json: jsonFlag, db: databaseFlag });

export const showCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    const [reference, stepName, ...extra] = positionals;
    if (reference === undefined) throw new UsageError({ message: "missing run id (or latest)", hint: `usage: ${usage}` });
    if (extra.length > 0) throw new UsageError({ message: `unexpected argument "${extra[0]}"`, hint: `usage: ${usage}` });

    const store = await openStore((await resolveProject(output.env)).databaseFile(values.db));
    try {
      const row = await findRun(store.callLog, reference, store.location);
      const run = buildRunView(row, await store.callLog.steps(row.id), await store.callLog.calls(row.id));
      if (stepName === undefined) {
        if (values.json) output.out(JSON.stringify(run, null, 2));
        else for (const line of renderRun(run, output.style)) output.out(line);
        return exitCodes.success;
      }
      const step = run.steps.find((candidate) => candidate.name === stepName);
      if (!step) {
        throw new UsageError({ message: `run ${run.id} has no step "${stepName}"`, hint: `its steps: ${run.steps.map((candidate) => candidate.name).join(", ")}` });
      }
      const { steps: _steps, ...summary } = run;
      if (values.json) output.out(JSON.stringify({ run: summary, step }, null, 2));
      else for (const line of renderStep(run, step, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};
