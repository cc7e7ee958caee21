/**
 * A team's budget as a tree: the team's day and month, each project under it, each pipeline under
 * its project; then who set each of the team's limits and when. Rendering only: the figures come
 * from `budget/team-status.ts`.
 */
import type { SourcedLimit, TeamScopeFigures, TeamStatus } from "../../budget/team-status.js";
import { formatBalance, formatLimit } from "../../money/format-usd.js";
import type { Style } from "../output.js";

const headings = ["scope", "limit", "spent", "held", "expired", "left"];
const periodWords = { day: "today", month: "this month" } as const;

export function renderTeamBudget(status: TeamStatus, timeZone: string, style: Style): string[] {
  const rows: string[][] = [];
  const add = (depth: number, label: string, figures: TeamScopeFigures) =>
    rows.push([
      `${"  ".repeat(depth)}${label} ${periodWords[figures.scope]}`,
      limitText(figures.limits),
      formatBalance(figures.spentUsd),
      formatBalance(figures.reservedUsd),
      formatBalance(figures.expiredUsd),
      figures.leftUsd === undefined ? "—" : formatBalance(figures.leftUsd),
    ]);
  add(0, `team ${status.team}`, status.day);
  add(0, `team ${status.team}`, status.month);
  for (const project of status.projects) {
    add(1, `project ${project.project}`, project.day);
    add(1, `project ${project.project}`, project.month);
    for (const pipeline of project.pipelines) {
      add(2, `pipeline ${pipeline.pipeline}`, pipeline.day);
      add(2, `pipeline ${pipeline.pipeline}`, pipeline.month);
    }
  }
  const widths = headings.map((heading, column) => Math.max(heading.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  const lines = [`${style.bold(`team ${status.team}`)} · ${status.day.period} · ${status.month.period} (${timeZone}) · real money only`, `  ${style.dim(format(headings))}`];
  for (const row of rows) lines.push(`  ${format(row).trimEnd()}`);
  lines.push(...whoSet(status));
  return lines;
}

/** The tightest limit, and where the others come from when there are several. */
function limitText(limits: readonly SourcedLimit[]): string {
  if (limits.length === 0) return "no limit";
  const tightest = Math.min(...limits.map((limit) => limit.limitUsd));
  return limits.length === 1 ? formatLimit(tightest) : `${formatLimit(tightest)} (tightest of ${limits.length})`;
}

function whoSet(status: TeamStatus): string[] {
  const entries: string[] = [];
  const describe = (label: string, figures: TeamScopeFigures) => {
    for (const limit of figures.limits) {
      const source = limit.source.from === "team" ? `set by ${limit.source.setBy} at ${limit.source.setAt.slice(0, 16).replace("T", " ")}Z` : "from this policy";
      entries.push(`  ${label} ${periodWords[figures.scope]} ${formatLimit(limit.limitUsd)}: ${source}`);
    }
  };
  describe(`team ${status.team}`, status.day);
  describe(`team ${status.team}`, status.month);
  for (const project of status.projects) {
    describe(`project ${project.project}`, project.day);
    describe(`project ${project.project}`, project.month);
  }
  if (entries.length === 0) return [`no limits for team ${status.team}: set them with \`orch budget team set ${status.team} --daily USD --monthly USD\``];
  return ["limits:", ...entries];
}
