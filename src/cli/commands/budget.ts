import { ledgerSettingsOf } from "../../budget/limits.js";
import { reconcileLedger } from "../../budget/reconcile.js";
import { forecastOfStatus } from "../../budget/forecast.js";
import { budgetStatus } from "../../budget/status.js";
import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { defaultDatabasePath, openStore } from "../../store/index.js";
import { parseCommandArguments } from "../arguments.js";
import type { Command } from "../main.js";
import { policyFileOr } from "../policy-file.js";
import { renderBudget } from "../render/budget-table.js";

const usage = "orch budget [--policy FILE] [--run ID] [--db FILE] [--json]";

export const budgetCommand: Command = {
  usage,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      { policy: { type: "string" }, run: { type: "string" }, db: { type: "string" }, json: { type: "boolean" } },
      usage,
    );
    if (positionals.length > 0) throw new UsageError({ message: `unexpected argument "${positionals[0]}"`, hint: `usage: ${usage}` });
    const policyFile = policyFileOr(values.policy);
    const policy = policyFile === undefined ? undefined : await loadPolicyFile(policyFile, output.env);
    const settings = ledgerSettingsOf(policy?.policy.budget);
    const store = openStore(values.db ?? defaultDatabasePath(output.env));
    try {
      const now = new Date();
      // Close what crashed processes left open first, so the figures below say where it went.
      const reconciled = reconcileLedger(store.ledger, { now });
      const status = budgetStatus(store.ledger, settings.limits, settings.timeZone, now, values.run === undefined ? {} : { runId: values.run });
      if (values.json) {
        output.out(JSON.stringify({ policy: policy?.file ?? null, database: store.file, limits: settings.limits, alertFractions: settings.alerts, ...status, forecast: forecastOfStatus(status) ?? null, reconciled }, null, 2));
      } else {
        const view = { policyFile: policy?.file, database: store.file, settings, status, reconciled };
        for (const line of renderBudget(view, output.style)) output.out(line);
      }
      // An overrun in the current run, day or month is money spent past a reservation: say so in the exit code too.
      return status.overruns.length > 0 ? exitCodes.stoppedByBudget : exitCodes.success;
    } finally {
      store.close();
    }
  },
};
