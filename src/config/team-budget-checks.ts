/**
 * Checks of a policy's team and project (`budget.team`, `budget.project`, `project_*_usd`) that
 * need more than the policy file: the project's name may come from orch.config.yaml, and a team's
 * calendar is the shared database's. Both are errors at the policy's own line and column.
 */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { ConfigError, type Diagnostic } from "./diagnostic.js";
import type { SourceDocument } from "./yaml-document.js";

/** What the policy is loaded for: the project's `name:` in orch.config.yaml, when it has one. */
export interface ProjectIdentity {
  name?: string | undefined;
}

/**
 * The policy with `budget.project` filled from orch.config.yaml's `name` when the budget needs a
 * project (it names a team or a project limit) and gives none itself. Without either name: one
 * diagnostic at the key that needs it. Folder names are never used: two clones called `app` on two
 * runners must be one project, two unrelated `app`s must not.
 */
export function withBudgetProject(document: SourceDocument, policy: RoutingPolicy, identity: ProjectIdentity): { policy: RoutingPolicy; diagnostics: Diagnostic[] } {
  const budget = policy.budget;
  if (budget === undefined || budget.project !== undefined) return { policy, diagnostics: [] };
  const needing = (["team", "project_daily_usd", "project_monthly_usd"] as const).find((key) => budget[key] !== undefined);
  if (needing === undefined) return { policy, diagnostics: [] };
  if (identity.name !== undefined) return { policy: { ...policy, budget: { ...budget, project: identity.name } }, diagnostics: [] };
  const what = needing === "team" ? `team "${budget.team}"` : `\`${needing}\``;
  return {
    policy,
    diagnostics: [
      document.diagnosticAt(
        ["budget", needing],
        {
          message: `${what} needs this project's name, and neither \`budget.project\` nor orch.config.yaml's \`name\` gives one`,
          suggestion: "add `project: NAME` under `budget:`, or `name: NAME` to orch.config.yaml (the same name on every machine of this project)",
        },
        "key",
      ),
    ],
  };
}

/**
 * A team has one calendar: the shared database's. A policy naming a team with a `time_zone` of
 * its own that differs would count the same instant in another day than the team's other
 * projects, splitting the team's day in two rows.
 */
export function teamCalendarDiagnostic(document: SourceDocument, policy: RoutingPolicy, databaseZone: string): Diagnostic | undefined {
  const budget = policy.budget;
  if (budget?.team === undefined || budget.time_zone === undefined || budget.time_zone === databaseZone) return undefined;
  return document.diagnosticAt(["budget", "time_zone"], {
    message: `time zone "${budget.time_zone}" differs from the shared database's calendar zone "${databaseZone}", and team "${budget.team}" has one calendar`,
    suggestion: `remove \`time_zone\` from \`budget:\` (the database's zone applies), or set it to "${databaseZone}"`,
  });
}

/**
 * Refuses (exit 2, at the policy's `time_zone`) a policy naming a team whose zone differs from the
 * database's. `databaseZone` fixes the database's zone with the proposal when it has none yet, so
 * the first project of a team sets the team's calendar. Call before a run records anything.
 */
export async function checkTeamCalendar(policy: { document: SourceDocument; policy: RoutingPolicy }, databaseZone: (proposed: string) => Promise<string>): Promise<void> {
  const budget = policy.policy.budget;
  if (budget?.team === undefined || budget.time_zone === undefined) return;
  const diagnostic = teamCalendarDiagnostic(policy.document, policy.policy, await databaseZone(budget.time_zone));
  if (diagnostic) throw new ConfigError([diagnostic]);
}
