/** Totals over all calls of the window, and the same figures per group (`--by`). */
import type { CallFact } from "./call-facts.js";
import type { GroupBy, GroupRow, Share, Totals } from "./report-model.js";

export function totalsOf(facts: readonly CallFact[]): Totals {
  const made = facts.filter((fact) => fact.made);
  const tokens = sum(made, (fact) => fact.tokens);
  const shareOf = (part: readonly CallFact[]): Share => {
    const partTokens = sum(part, (fact) => fact.tokens);
    return { calls: part.length, callShare: ratio(part.length, made.length), tokens: partTokens, tokenShare: ratio(partTokens, tokens) };
  };
  const spendUsd = sumUsd(facts, (fact) => fact.row.costUsd);
  const successfulSteps = facts.filter((fact) => fact.accepted).length;
  return {
    rows: facts.length,
    callsMade: made.length,
    succeededCalls: made.filter((fact) => fact.row.status === "succeeded").length,
    failedCalls: made.filter((fact) => fact.row.status === "failed").length,
    cachedCalls: facts.length - made.length,
    inputTokens: sum(made, (fact) => fact.row.inputTokens),
    outputTokens: sum(made, (fact) => fact.row.outputTokens),
    spendUsd,
    syntheticSpendUsd: sumUsd(facts.filter((fact) => fact.row.synthetic), (fact) => fact.row.costUsd),
    steps: new Set(facts.map((fact) => fact.stepKey)).size,
    successfulSteps,
    costPerSuccessfulStepUsd: successfulSteps === 0 ? null : roundUsd(spendUsd / successfulSteps),
    local: shareOf(made.filter((fact) => fact.local)),
    free: shareOf(made.filter((fact) => fact.free)),
  };
}

export function groupKey(fact: CallFact, by: GroupBy): string {
  switch (by) {
    case "provider":
      return fact.row.provider;
    case "model":
      return fact.model;
    case "pipeline":
      return fact.row.pipelineName;
    case "task":
      return fact.row.task;
    case "day":
      return fact.day;
    // A run whose policy named no team or project (or that reserved nothing) has none.
    case "team":
      return fact.row.team ?? "(no team)";
    case "project":
      return fact.row.project ?? "(no project)";
  }
}

/** One row per group; by day in calendar order, otherwise the largest spend first (then by name). */
export function groupsOf(facts: readonly CallFact[], by: GroupBy): GroupRow[] {
  const allSpend = sumUsd(facts, (fact) => fact.row.costUsd);
  const rows = [...groupFacts(facts, (fact) => groupKey(fact, by))].map(([key, members]): GroupRow => {
    const made = members.filter((fact) => fact.made);
    const spendUsd = sumUsd(members, (fact) => fact.row.costUsd);
    const successfulSteps = members.filter((fact) => fact.accepted).length;
    return {
      key,
      rows: members.length,
      callsMade: made.length,
      failedCalls: made.filter((fact) => fact.row.status === "failed").length,
      cachedCalls: members.length - made.length,
      inputTokens: sum(made, (fact) => fact.row.inputTokens),
      outputTokens: sum(made, (fact) => fact.row.outputTokens),
      spendUsd,
      spendShare: ratio(spendUsd, allSpend),
      freeCallShare: ratio(made.filter((fact) => fact.free).length, made.length),
      successfulSteps,
      costPerSuccessfulStepUsd: successfulSteps === 0 ? null : roundUsd(spendUsd / successfulSteps),
    };
  });
  return by === "day" ? rows.sort((a, b) => a.key.localeCompare(b.key)) : rows.sort((a, b) => b.spendUsd - a.spendUsd || a.key.localeCompare(b.key));
}

export function groupFacts<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const members = groups.get(key);
    if (members) members.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

export function sum<T>(items: readonly T[], valueOf: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += valueOf(item);
  return total;
}

/** Dollars summed as whole nano-dollars, so $0.1 + $0.2 is $0.3 and figures match the ledger's. */
export function sumUsd<T>(items: readonly T[], valueOf: (item: T) => number): number {
  let nano = 0;
  for (const item of items) nano += Math.round(valueOf(item) * 1e9);
  return nano / 1e9;
}

/** To the nano-dollar: what the ledger can count. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
