import { ledgerSettingsOf } from "../../budget/limits.js";
import { reconcileLedger } from "../../budget/reconcile.js";
import { forecastOfStatus } from "../../budget/forecast.js";
import { budgetStatus } from "../../budget/status.js";
import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes } from "../../errors/orch-error.js";
import { ledgerTimeZone } from "../../budget/calendar.js";
import { formatUsd } from "../../money/format-usd.js";
import { checkFilter, filterLabel, reportWindow, windowDays, windowSpend, type ReportFilter, type WindowFlags, type WindowSpend } from "../../report/index.js";
import { openStore, type OrchStore } from "../../store/index.js";
import { defineFlags, noPositionals, parseCommandArguments } from "../arguments.js";
import { databaseFlag, fromFlag, jsonFlag, pipelineFilterFlag, policyFlag, runFilterFlag, sinceFlag, toFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderBudget } from "../render/budget-table.js";
import { resolveProject } from "../../project/resolve-project.js";
import { checkTeamCalendar } from "../../config/team-budget-checks.js";
import { budgetTeamCommand, teamSection } from "./budget-team.js";

const usage =
  "orch budget [--policy FILE] [--run ID] [--pipeline NAME] [--since DURATION | --from YYYY-MM-DD --to YYYY-MM-DD] [--db FILE] [--json]\n" +
  "       orch budget team set|show … (a team's limits, shared by its projects: orch budget team --help)";

const flags = defineFlags({
  policy: policyFlag,
  run: runFilterFlag,
  pipeline: pipelineFilterFlag,
  since: sinceFlag,
  from: fromFlag,
  to: toFlag,
  db: databaseFlag,
  json: jsonFlag,
});

interface WindowFigures extends WindowSpend {
  label: string;
  from: string;
  to: string;
}

/** `--since` or `--from/--to`: what the ledger counted on those days, for `--run`/`--pipeline` when given. */
async function windowFigures(store: OrchStore, flags: WindowFlags, filter: ReportFilter, timeZone: string, now: Date): Promise<WindowFigures | undefined> {
  if (flags.since === undefined && flags.from === undefined && flags.to === undefined) return undefined;
  const window = reportWindow(flags, now);
  const rows = await store.reports.ledgerUse("0000-00", "9999-99");
  const firstDay = rows.reduce<string | undefined>((first, row) => (first === undefined || row.day < first ? row.day : first), undefined);
  const days = windowDays(window, timeZone, firstDay);
  return { label: window.label, from: days[0] ?? "", to: days.at(-1) ?? "", ...windowSpend(rows, days, filter) };
}

function windowLine(window: WindowFigures, filter: ReportFilter): string {
  const synthetic = window.syntheticUsd > 0 ? ` (and ${formatUsd(window.syntheticUsd)} synthetic, not billed)` : "";
  return `window ${window.label} (${window.from} – ${window.to})${filterLabel(filter)}: ${formatUsd(window.realUsd)} counted by the ledger${synthetic} over ${window.runs} run${window.runs === 1 ? "" : "s"}`;
}

export const budgetCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    if (args[0] === "team") return budgetTeamCommand.run(args.slice(1), output);
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    noPositionals(positionals, usage);
    const project = await resolveProject(output.env);
    const policyFile = project.policyFile(values.policy);
    const policy = policyFile === undefined ? undefined : await loadPolicyFile(policyFile, project.env, { name: project.settings?.name });
    const settings = ledgerSettingsOf(policy?.policy.budget);
    const store = await openStore(project.databaseFile(values.db));
    try {
      const now = new Date();
      const filter: ReportFilter = { ...(values.run === undefined ? {} : { runId: values.run }), ...(values.pipeline === undefined ? {} : { pipeline: values.pipeline }) };
      await checkFilter(filter, { runExists: (id) => store.reports.runKnown(id), pipelineNames: () => store.reports.pipelineNames(), database: store.location });
      // Close what crashed processes left open first, so the figures below say where it went.
      const reconciled = await reconcileLedger(store.ledger, { now });
      if (policy) await checkTeamCalendar(policy, (proposed) => store.ledger.calendarZone(proposed, now.toISOString()));
      const team = settings.limits.project?.team;
      const status = await budgetStatus(store.ledger, settings.limits, settings.timeZone, now, filter);
      const window = await windowFigures(store, values, filter, await ledgerTimeZone(store.ledger, settings.timeZone, now, team), now);
      // A policy naming a team: the team → project → pipeline tree follows (budget-team.ts).
      const teamLines = team === undefined ? [] : await teamSection(store, settings, team, now, output.style, values.json === true);
      if (values.json) {
        const teamJson = teamLines.length === 0 ? {} : { team: JSON.parse(teamLines[0]!) as unknown };
        output.out(JSON.stringify({ policy: policy?.file ?? null, database: store.location, limits: settings.limits, alertFractions: settings.alerts, ...status, ...(window ? { window } : {}), forecast: forecastOfStatus(status) ?? null, reconciled, ...teamJson }, null, 2));
      } else {
        const view = { policyFile: policy?.file, database: store.location, settings, status, reconciled };
        for (const line of renderBudget(view, output.style)) output.out(line);
        if (window) output.out(windowLine(window, filter));
        if (teamLines.length > 0) for (const line of ["", ...teamLines]) output.out(line);
      }
      // An overrun in the current run, day or month is money spent past a reservation: say so in the exit code too.
      return status.overruns.length > 0 ? exitCodes.stoppedByBudget : exitCodes.success;
    } finally {
      await store.close();
    }
  },
};
