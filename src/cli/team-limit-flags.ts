/**
 * The flags of `orch budget team set`, read into the store's limit changes:
 *
 *   --daily USD | none          the team's own day limit (none removes it)
 *   --monthly USD | none        the team's own month limit
 *   --project NAME=USD/day      a cap on one project of the team (repeatable; also NAME=USD/month,
 *                               NAME=none/day, NAME=none/month, or NAME=none for both)
 *
 * Amounts are plain decimals in USD ("50", "12.5"), at most 1,000,000 like every limit in a policy.
 */
import type { TeamLimitChange, TeamLimitScope } from "../contracts/ledger-store.js";
import { UsageError } from "../errors/orch-error.js";
import { usdToNano } from "../money/nano.js";

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const maximumUsd = 1_000_000;

export interface TeamLimitFlags {
  daily?: string | undefined;
  monthly?: string | undefined;
  project?: string[] | undefined;
}

/** A team's or a project's name as the policy schema allows it: no `/`, which the ledger uses to qualify pipeline names. */
export function ledgerName(value: string, what: string): string {
  if (!namePattern.test(value) || value.length > 100) {
    throw new UsageError({ message: `${what} "${value}" is not a valid name`, hint: "use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100 characters)" });
  }
  return value;
}

export function teamLimitChanges(flags: TeamLimitFlags): TeamLimitChange[] {
  const changes: TeamLimitChange[] = [];
  if (flags.daily !== undefined) changes.push({ scope: "day", limitNanoUsd: amountOf(flags.daily, "--daily") });
  if (flags.monthly !== undefined) changes.push({ scope: "month", limitNanoUsd: amountOf(flags.monthly, "--monthly") });
  for (const value of flags.project ?? []) changes.push(...projectChanges(value));
  const seen = new Set<string>();
  for (const change of changes) {
    const key = `${change.project ?? ""}/${change.scope}`;
    if (seen.has(key)) throw new UsageError({ message: `the ${change.scope} limit of ${change.project === undefined ? "the team" : `project ${change.project}`} is given twice` });
    seen.add(key);
  }
  if (changes.length === 0) {
    throw new UsageError({ message: "nothing to set", hint: "give --daily USD, --monthly USD and/or --project NAME=USD/day (none removes a limit)" });
  }
  return changes;
}

function projectChanges(value: string): TeamLimitChange[] {
  const match = /^([^=]+)=(.+?)(?:\/(day|month))?$/.exec(value);
  const hint = "write --project NAME=USD/day or NAME=USD/month (e.g. app=10/day), NAME=none/day to remove one cap, NAME=none for both";
  if (!match) throw new UsageError({ message: `--project "${value}" is not NAME=USD/day or NAME=USD/month`, hint });
  const project = ledgerName(match[1]!, "project");
  const amount = match[2]!;
  const scope = match[3] as TeamLimitScope | undefined;
  if (scope === undefined) {
    if (amount !== "none") throw new UsageError({ message: `--project "${value}" does not say per day or per month`, hint });
    return [
      { project, scope: "day", limitNanoUsd: null },
      { project, scope: "month", limitNanoUsd: null },
    ];
  }
  return [{ project, scope, limitNanoUsd: amountOf(amount, `--project ${project}`) }];
}

function amountOf(value: string, flag: string): number | null {
  if (value === "none") return null;
  if (!/^\d+(\.\d{1,9})?$/.test(value) || Number(value) > maximumUsd) {
    throw new UsageError({ message: `${flag} expects an amount in USD from 0 to ${maximumUsd} (like 50 or 12.5) or none, got "${value}"` });
  }
  return usdToNano(Number(value));
}
