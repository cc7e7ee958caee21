/**
 * Which rows of `budget_reservations` a budget scope covers: a period (a run, a calendar day or
 * month) optionally narrowed to one pipeline or one tag. One place builds the WHERE clause, so
 * the check in `reserve` and the figures of `orch budget` can never disagree.
 *
 * Synthetic money (mock and replay calls) counts in its run, like any spend, so run budgets bind
 * as they would for real; a day or a month is the user's real money, so it counts real spend only.
 */

import type { LedgerScope, MoneyKind, ProjectRef, ScopeKeys, ScopeLimit, ScopeSubject, TeamLimit } from "../contracts/ledger-store.js";

export type { LedgerScope, MoneyKind, ScopeKeys, ScopeSubject } from "../contracts/ledger-store.js";

export function moneyCountedIn(scope: LedgerScope): MoneyKind {
  return scope === "run" ? "all" : "real";
}

export function periodOf(scope: LedgerScope, keys: ScopeKeys): string {
  return scope === "run" ? keys.runId : keys[scope];
}

export function scopeFilter(
  scope: LedgerScope,
  keys: ScopeKeys,
  subject?: ScopeSubject,
  money: MoneyKind = moneyCountedIn(scope),
): { where: string; parameters: string[] } {
  const column = scope === "run" ? "run_id" : scope;
  const clauses = [`${column} = ?`];
  if (money !== "all") clauses.push(`synthetic = ${money === "synthetic" ? 1 : 0}`);
  const parameters = [periodOf(scope, keys)];
  if (subject?.kind === "pipeline") {
    clauses.push("pipeline_name = ?");
    parameters.push(subject.name);
  } else if (subject?.kind === "tag") {
    clauses.push("id IN (SELECT reservation_id FROM budget_reservation_tags WHERE tag = ?)");
    parameters.push(subject.name);
  }
  return { where: clauses.join(" AND "), parameters };
}

/**
 * A pipeline's or a tag's name where it counts: `project/name` for a reservation made for a
 * project (two projects sharing a store may both have a `release-notes` pipeline), the name alone
 * otherwise. Project names cannot hold `/` (schema), so the split is never ambiguous.
 */
export function qualifiedName(project: string | undefined, name: string): string {
  return project === undefined ? name : `${project}/${name}`;
}

/** Where one reservation counts: its pipeline, its tags, and its team and project. */
export interface CountedPlace extends ProjectRef {
  pipelineName: string;
  tags: readonly string[];
}

/**
 * Every (scope, subject) a reservation counts in, the same for both stores: run, day and month,
 * each for everything (no subject), its pipeline and each tag; and the day and month of its team
 * and project. A team and a project are calendar budgets: a run has no team of its own.
 */
export function countedSubjects(place: CountedPlace): { scope: LedgerScope; subject?: ScopeSubject }[] {
  const narrow: ScopeSubject[] = [
    { kind: "pipeline", name: qualifiedName(place.project, place.pipelineName) },
    ...[...new Set(place.tags)].map((tag): ScopeSubject => ({ kind: "tag", name: qualifiedName(place.project, tag) })),
  ];
  const calendar: ScopeSubject[] = [
    ...(place.project !== undefined && place.team !== undefined ? [{ kind: "team" as const, name: place.team }] : []),
    ...(place.project !== undefined ? [{ kind: "project" as const, name: place.project }] : []),
  ];
  const scopes: readonly LedgerScope[] = ["run", "day", "month"];
  return scopes.flatMap((scope) => [
    { scope },
    ...narrow.map((subject) => ({ scope, subject })),
    ...(scope === "run" ? [] : calendar.map((subject) => ({ scope, subject }))),
  ]);
}

/** The stored limits of a team that bind one of its projects: the team's own, and that project's cap. */
export function teamScopeLimits(stored: readonly TeamLimit[], team: string, project: string): ScopeLimit[] {
  return stored
    .filter((limit) => limit.team === team && (limit.project === undefined || limit.project === project))
    .map((limit) => ({
      scope: limit.scope,
      subject: limit.project === undefined ? { kind: "team", name: team } : { kind: "project", name: project },
      limitNanoUsd: limit.limitNanoUsd,
    }));
}

/** The nullable `team` and `project` columns of a reservation row, in either store. */
export interface ProjectColumns {
  team: string | null;
  project: string | null;
}

/** A reservation's columns as the contract's `ProjectRef`: a team counts only with a project. */
export function projectOf(columns: ProjectColumns): ProjectRef {
  if (columns.project === null) return {};
  return { project: columns.project, ...(columns.team === null ? {} : { team: columns.team }) };
}
