import path from "node:path";
import { ledgerTimeZone } from "../../budget/calendar.js";
import { ledgerSettingsOf } from "../../budget/limits.js";
import { overrunOf } from "../../budget/overruns.js";
import { loadPolicyFile } from "../../config/load-config.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import {
  buildReport,
  checkFilter,
  filterLabel,
  filterReportData,
  groupByValues,
  readReportData,
  reportCsv,
  reportHtml,
  reportWindow,
  type GroupBy,
  type ReportFilter,
  type ReportGraph,
  type ReportWindow,
  type WindowFlags,
} from "../../report/index.js";
import { callView } from "../../report/call-log/run-view.js";
import { graphOfRecordedRun, layoutGraph, renderSvg } from "../../report/graph/index.js";
import { writeFileAtomically } from "../../store/atomic-write.js";
import { openStore, type OrchStore } from "../../store/index.js";
import { defineFlags, noPositionals, parseCommandArguments } from "../arguments.js";
import { databaseFlag, fromFlag, jsonFlag, pipelineFilterFlag, policyFlag, runFilterFlag, sinceFlag, toFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderReport } from "../render/report-text.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage =
  "orch report [--since DURATION (default 30d) | --from YYYY-MM-DD --to YYYY-MM-DD] [--run ID] [--pipeline NAME] [--by provider|model|pipeline|task|day|team|project] [--json | --csv] [--html FILE [--graph FILE]] [--policy FILE] [--db FILE]";

const flags = defineFlags({
  since: { ...sinceFlag, defaultText: "30d (with --run: since the run started)" },
  from: fromFlag,
  to: toFlag,
  run: runFilterFlag,
  pipeline: pipelineFilterFlag,
  by: { type: "string", placeholder: "provider|model|pipeline|task|day|team|project", description: "group the spend table by this", defaultText: "model" },
  json: jsonFlag,
  csv: { type: "boolean", description: "print the spend table as CSV (one row per --by group)" },
  html: { type: "string", placeholder: "FILE", description: "write an HTML report with charts and a page per run" },
  graph: { type: "string", placeholder: "FILE", description: "with --html: link this graph file from the page" },
  policy: { ...policyFlag, description: "routing policy whose budgets are shown" },
  db: databaseFlag,
});

export const reportCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    noPositionals(positionals, usage);
    if (values.json && values.csv) throw new UsageError({ message: "--json and --csv cannot be combined", hint: `usage: ${usage}` });
    if (values.graph !== undefined && values.html === undefined) throw new UsageError({ message: "--graph links a graph file from the HTML page: it needs --html FILE" });
    const groupBy = groupByOf(values.by);
    const now = new Date();
    const filter: ReportFilter = { ...(values.run === undefined ? {} : { runId: values.run }), ...(values.pipeline === undefined ? {} : { pipeline: values.pipeline }) };

    const project = await resolveProject(output.env);
    const policyFile = project.policyFile(values.policy);
    const policy = policyFile === undefined ? undefined : await loadPolicyFile(policyFile, project.env, { name: project.settings?.name });
    const settings = ledgerSettingsOf(policy?.policy.budget);
    const targets = policy?.policy.targets;
    const store = await openStore(project.databaseFile(values.db));
    try {
      // Days and months as the ledger counts them: the policy's zone, else the store's.
      const timeZone = await ledgerTimeZone(store.ledger, settings.timeZone, now, settings.limits.project?.team);
      await checkFilter(filter, { runExists: (id) => store.reports.runKnown(id), pipelineNames: () => store.reports.pipelineNames(), database: store.location });
      const window = windowOf(values, filter.runId === undefined ? undefined : (await store.runs.getRun(filter.runId))?.started_at, now);
      const read = { ...(await readReportData(store.reports, window, timeZone)), overruns: (await store.ledger.overrunsBetween(window.fromIso, window.toIso)).map(overrunOf) };
      const data = filterReportData(read, filter);
      const report = buildReport(data, {
        window: { ...window, label: `${window.label}${filterLabel(filter)}` },
        groupBy,
        now,
        timeZone,
        limits: settings.limits,
        ...(policy ? { policyFile: policy.file } : {}),
        targets: { localShare: targets?.local_share, costPerSuccessUsd: targets?.cost_per_success_usd },
      });
      if (values.html !== undefined) {
        const graph = values.graph === undefined ? await lastRunGraph(store, window.toIso, filter.runId) : linkedGraph(values.graph, values.html);
        // Each shown run's calls from the call log: the page puts every attempt's prompt and answer beside it.
        const calls = new Map<number, ReturnType<typeof callView>>();
        for (const run of report.runs) for (const row of await store.callLog.calls(run.runId)) calls.set(row.id, callView(row));
        await writeFileAtomically(values.html, reportHtml(report, { calls, ...(graph ? { graph } : {}), ...(settings.limits.dailyUsd === undefined ? {} : { dailyLimitUsd: settings.limits.dailyUsd }) }));
      }
      if (values.json) output.out(JSON.stringify(report, null, 2));
      else if (values.csv) output.out(reportCsv(report).trimEnd());
      else for (const line of renderReport(report, { database: store.location }, output.style)) output.out(line);
      if (values.html !== undefined) {
        // Keep stdout machine-readable when it carries JSON or CSV.
        const say = values.json || values.csv ? output.err : output.out;
        say(`html report written to ${values.html}`);
      }
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};

/**
 * `--run` alone covers the run whenever it happened (from its start to now), not the default 30
 * days; with `--since` or `--from/--to` the window is as asked.
 */
function windowOf(values: WindowFlags, runStartedAt: string | undefined, now: Date): ReportWindow {
  const asked = values.since !== undefined || values.from !== undefined || values.to !== undefined;
  if (runStartedAt === undefined || asked) return reportWindow(values, now);
  return { fromIso: runStartedAt, toIso: new Date(Math.max(now.getTime(), Date.parse(runStartedAt) + 1)).toISOString(), label: "since the run started" };
}

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

/** The newest run's graph (or the `--run`'s), embedded, when its pipeline file can still be read. */
async function lastRunGraph(store: OrchStore, beforeIso: string, runId: string | undefined): Promise<ReportGraph | undefined> {
  const run = runId === undefined ? await store.reports.latestRun(beforeIso) : await store.runs.getRun(runId);
  if (!run) return undefined;
  const graph = await graphOfRecordedRun(store, run);
  if (!graph) return undefined;
  return { kind: "inline", svg: renderSvg(layoutGraph(graph)), caption: `Last run ${run.id} of ${run.pipeline_name} (${run.status}), started ${run.started_at}.` };
}
