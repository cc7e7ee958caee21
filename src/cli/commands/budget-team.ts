/**
 * `orch budget team set NAME …` and `orch budget team show [NAME]`: a team's own limits, stored in
 * the database its projects share, and where the team stands (team → project → pipeline).
 */
import os from "node:os";
import { calendarKeys, ledgerTimeZone } from "../../budget/calendar.js";
import { ledgerSettingsOf, type LedgerSettings } from "../../budget/limits.js";
import { nanoToUsd } from "../../budget/money.js";
import { teamStatus } from "../../budget/team-status.js";
import { loadPolicyFile } from "../../config/load-config.js";
import type { LedgerStore } from "../../contracts/ledger-store.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { resolveProject } from "../../project/resolve-project.js";
import { openStore, type OrchStore } from "../../store/index.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag, policyFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import type { Style } from "../output.js";
import { renderTeamBudget } from "../render/team-budget-table.js";
import { ledgerName, teamLimitChanges } from "../team-limit-flags.js";

const usage =
  "orch budget team set NAME [--daily USD|none] [--monthly USD|none] [--project PROJECT=USD/day|PROJECT=USD/month|PROJECT=none …] [--by WHO] [--db FILE] [--json]\n" +
  "       orch budget team show [NAME] [--policy FILE] [--db FILE] [--json]";

const flags = defineFlags({
  daily: { type: "string", placeholder: "USD|none", description: "set: the team's own limit per calendar day (none removes it)" },
  monthly: { type: "string", placeholder: "USD|none", description: "set: the team's own limit per calendar month (none removes it)" },
  project: { type: "string", multiple: true, placeholder: "PROJECT=USD/day", description: "set: a cap on one project of the team, per day or month (repeatable; PROJECT=none removes both)" },
  by: { type: "string", placeholder: "WHO", description: "set: who is setting the limits, as `orch budget` shows it", defaultText: "user@host" },
  policy: { ...policyFlag, description: "show: the policy whose team is shown when no NAME is given" },
  db: databaseFlag,
  json: jsonFlag,
});

export const budgetTeamCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    const [action, name, extra] = positionals;
    if (extra !== undefined || (action !== "set" && action !== "show")) {
      throw new UsageError({ message: action === undefined ? "missing set or show" : `unexpected argument "${extra ?? action}"`, hint: `usage: ${usage}` });
    }
    if (action === "set" && name === undefined) throw new UsageError({ message: "missing the team's NAME", hint: `usage: ${usage}` });
    const setFlags = values.daily !== undefined || values.monthly !== undefined || values.project !== undefined || values.by !== undefined;
    if (action === "show" && setFlags) throw new UsageError({ message: "--daily, --monthly, --project and --by belong to `orch budget team set`", hint: `usage: ${usage}` });

    const project = await resolveProject(output.env);
    const store = await openStore(project.databaseFile(values.db));
    try {
      const ledger = store.ledger;
      const now = new Date();
      if (action === "set") {
        const team = ledgerName(name!, "team");
        const changes = teamLimitChanges(values);
        const setBy = values.by ?? `${os.userInfo().username}@${os.hostname()}`;
        await ledger.setTeamLimits(team, changes, setBy, now.toISOString());
        output.err(`team ${team}: ${changes.length} limit${changes.length === 1 ? "" : "s"} set by ${setBy}`);
      }
      const policyFile = project.policyFile(values.policy);
      const policy = action === "show" && name === undefined && policyFile !== undefined ? await loadPolicyFile(policyFile, project.env, { name: project.settings?.name }) : undefined;
      const settings = ledgerSettingsOf(policy?.policy.budget);
      const team = name === undefined ? settings.limits.project?.team : ledgerName(name, "team");
      if (team === undefined) {
        throw new UsageError({ message: "which team? the policy names none (budget.team)", hint: `name it: orch budget team show NAME (teams with limits or spend this month: ${await teamList(ledger, store, now)})` });
      }
      for (const line of await teamSection(store, settings, team, now, output.style, values.json === true)) output.out(line);
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};

async function teamList(ledger: LedgerStore, store: OrchStore, now: Date): Promise<string> {
  const teams = await ledger.teams(calendarKeys(now, await ledgerTimeZone(store.ledger, undefined, now)).month);
  return teams.length === 0 ? "none" : teams.join(", ");
}

/**
 * The team's tree in the database's calendar (a team has one), with the policy's own project
 * limits beside the team's when the policy names this team. Text lines, or one JSON document.
 */
export async function teamSection(store: OrchStore, settings: LedgerSettings, team: string, now: Date, style: Style, json: boolean): Promise<string[]> {
  const ledger = store.ledger;
  const timeZone = await ledgerTimeZone(ledger, undefined, now, team);
  const status = await teamStatus(ledger, team, { runId: "", ...calendarKeys(now, timeZone) }, settings.limits);
  if (json) {
    const stored = (await ledger.teamLimits(team)).map(({ limitNanoUsd, ...limit }) => ({ ...limit, limitUsd: nanoToUsd(limitNanoUsd) }));
    return [JSON.stringify({ timeZone, limits: stored, ...status }, null, 2)];
  }
  return renderTeamBudget(status, timeZone, style);
}
