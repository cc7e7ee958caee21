import path from "node:path";
import { ledgerTimeZone } from "../../budget/calendar.js";
import { ledgerSettingsOf } from "../../budget/limits.js";
import { overrunOf } from "../../budget/overruns.js";
import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { buildReport, readReportData, reportCsv, reportHtml, reportWindow, groupByValues, type GroupBy, type ReportGraph } from "../../report/index.js";
import { graphOfRecordedRun, layoutGraph, renderSvg } from "../../report/graph/index.js";
import { writeFileAtomically } from "../../store/atomic-write.js";
import { openStore, type OrchStore } from "../../store/index.js";
import { parseCommandArguments } from "../arguments.js";
import type { Command } from "../main.js";
import { renderReport } from "../render/report-text.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage =
  "orch report [--since DURATION (default 30d) | --from YYYY-MM-DD --to YYYY-MM-DD] [--by provider|model|pipeline|task|day] [--json | --csv] [--html FILE [--graph FILE]] [--policy FILE] [--db FILE]";

export const reportCommand: Command = {
  usage,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      {
        since: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        by: { type: "string" },
        json: { type: "boolean" },
        csv: { type: "boolean" },
        html: { type: "string" },
        graph: { type: "string" },
        policy: { type: "string" },
        db: { type: "string" },
      },
      usage,
    );
    if (positionals.length > 0) throw new UsageError({ message: `unexpected argument "${positionals[0]}"`, hint: `usage: ${usage}` });
    if (values.json && values.csv) throw new UsageError({ message: "--json and --csv cannot be combined", hint: `usage: ${usage}` });
    if (values.graph !== undefined && values.html === undefined) throw new UsageError({ message: "--graph links a graph file from the HTML page: it needs --html FILE" });
    const groupBy = groupByOf(values.by);
    const now = new Date();
    const window = reportWindow({ since: values.since, from: values.from, to: values.to }, now);

    const project = await resolveProject(output.env);
    const policyFile = project.policyFile(values.policy);
    const policy = policyFile === undefined ? undefined : await loadPolicyFile(policyFile, project.env);
    const settings = ledgerSettingsOf(policy?.policy.budget);
    const targets = policy?.policy.targets;
    const store = openStore(project.databaseFile(values.db));
    try {
      // Days and months as the ledger counts them: the policy's zone, else the database's.
      const timeZone = ledgerTimeZone(store.ledger, settings.timeZone, now);
      const data = { ...readReportData(store.reports, window, timeZone), overruns: store.ledger.overrunsBetween(window.fromIso, window.toIso).map(overrunOf) };
      const report = buildReport(data, {
        window,
        groupBy,
        now,
        timeZone,
        limits: settings.limits,
        ...(policy ? { policyFile: policy.file } : {}),
        targets: { localShare: targets?.local_share, costPerSuccessUsd: targets?.cost_per_success_usd },
      });
      if (values.html !== undefined) {
        const graph = values.graph === undefined ? await lastRunGraph(store, window.toIso) : linkedGraph(values.graph, values.html);
        await writeFileAtomically(values.html, reportHtml(report, { ...(graph ? { graph } : {}), ...(settings.limits.dailyUsd === undefined ? {} : { dailyLimitUsd: settings.limits.dailyUsd }) }));
      }
      if (values.json) output.out(JSON.stringify(report, null, 2));
      else if (values.csv) output.out(reportCsv(report).trimEnd());
      else for (const line of renderReport(report, { database: store.file }, output.style)) output.out(line);
      if (values.html !== undefined) {
        // Keep stdout machine-readable when it carries JSON or CSV.
        const say = values.json || values.csv ? output.err : output.out;
        say(`html report written to ${values.html}`);
      }
      return exitCodes.success;
    } finally {
      store.close();
    }
  },
};

function groupByOf(value: string | undefined): GroupBy {
  if (value === undefined) return "model";
  if ((groupByValues as readonly string[]).includes(value)) return value as GroupBy;
  throw new UsageError({ message: `--by expects one of ${groupByValues.join(", ")}, got "${value}"` });
}

/** `--graph FILE`: linked relative to the page, so the two files can be moved together. */
function linkedGraph(graphFile: string, htmlFile: string): ReportGraph {
  const href = path.relative(path.dirname(path.resolve(htmlFile)), path.resolve(graphFile)).split(path.sep).join("/");
  return { kind: "link", href, caption: "The pipeline graph, written by orch graph." };
}

/** The newest run's graph, embedded, when its pipeline file can still be read. */
async function lastRunGraph(store: OrchStore, beforeIso: string): Promise<ReportGraph | undefined> {
  const run = store.reports.latestRun(beforeIso);
  if (!run) return undefined;
  const graph = await graphOfRecordedRun(store, run);
  if (!graph) return undefined;
  return { kind: "inline", svg: renderSvg(layoutGraph(graph)), caption: `Last run ${run.id} of ${run.pipeline_name} (${run.status}), started ${run.started_at}.` };
}
