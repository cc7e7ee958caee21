/**
 * One scenario of orch's commands, written once and run on any store location (a SQLite file or a
 * PostgreSQL URL) through the real CLI, the real OpenAI SDK and the fake server. The tests run it
 * on both stores, check its figures by hand on each, and compare what the commands printed.
 *
 * Prices: $1 per million input tokens, $2 per million output tokens, so a token costs 1,000
 * nano-dollars in and 2,000 out; the fake server counts one token per word.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FakeLlmServer } from "../../../src/fake-server/index.js";
import { resolveProject } from "../../../src/project/resolve-project.js";
import { startServer } from "../../../src/serve/server.js";
import { runCliInProcess, type CliResult } from "../../support/cli.js";
import { writeProject } from "../../support/project.js";

export const scenarioKey = "sk-test-store-scenario-0123456789";

export const scenarioPolicy = `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  mini: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }
tiers: { economy: [mini], standard: [mini], premium: [mini] }
budget: { run_usd: 0.01, daily_usd: 5 }
`;

/**
 * A fan-out over the topics, a summary of it, and an essay whose worst case (max_tokens 100,000 at
 * 2,000 nano-dollars = $0.2) is far above the run's $0.01: the budget stops it, and the run exits 3.
 */
export const scenarioPipeline = `version: 1
name: colours
policy: policy.yaml
concurrency: 1
inputs:
  topics: { type: list, default: [red, blue, green] }
steps:
  each:
    for_each: { items: inputs.topics, concurrency: 1 }
    prompt: "Name a <%= it.item %> thing."
    max_tokens: 20
  summary:
    needs: [each]
    prompt: "Join <%= it.steps.each.outputs.join(' and ') %>"
    max_tokens: 20
  essay:
    needs: [summary]
    prompt: "Write an essay on <%= it.steps.summary.output %>"
    max_tokens: 100000
`;

/** The fake server's answers in the order the calls are made (concurrency 1), then "A banana.". */
export const scenarioAnswers = ["A rose.", "The sea.", "Fresh grass.", "Roses by the sea."];

export interface ServedPages {
  runs: unknown;
  latestRun: unknown;
  budgets: unknown;
  /** The run's page and its step `each`'s page. */
  pageStatuses: number[];
  stepPageShowsPrompt: boolean;
}

export interface ScenarioOutputs {
  runs: CliResult[];
  /** Requests that reached the fake server's chat endpoint: calls paid. */
  chatRequests: number;
  runsList: CliResult;
  runsJson: CliResult;
  /** `--pipeline`, `--status`, `--since` and `--limit` together. */
  runsFiltered: CliResult;
  showLatest: CliResult;
  showLatestJson: CliResult;
  showStep: CliResult;
  diff: CliResult;
  diffJson: CliResult;
  report: CliResult;
  reportJson: CliResult;
  /** `orch report --html`: the page's exit code and whether it holds an attempt's prompt. */
  reportHtml: { code: number; stderr: string; showsPrompt: boolean };
  budgetJson: CliResult;
  cacheStats: CliResult;
  cacheStatsJson: CliResult;
  backtestJson: CliResult;
  tune: CliResult;
  graphJson: CliResult;
  served: ServedPages;
  directory: string;
}

export const chatRequestsOf = (server: FakeLlmServer) => server.requests.filter((request) => request.path.startsWith("/v1/chat/completions")).length;

/**
 * Three runs on `location`: the first pays for every call but the essay's (stopped by the
 * budget), the second is served from the cache, the third changes one topic (green → yellow) and
 * pays for that item and the summary again. Then every reading command, and `orch serve`'s API,
 * on the same store.
 */
export async function runScenario(server: FakeLlmServer, location: string): Promise<ScenarioOutputs> {
  server.reset();
  server.script("gpt-4o-mini", { responses: scenarioAnswers, defaultResponse: "A banana." });
  const directory = writeProject({ "pipeline.yaml": scenarioPipeline, "policy.yaml": scenarioPolicy });
  const env = { OPENAI_TEST_KEY: scenarioKey, FAKE_URL: server.url };
  const db = ["--db", location];
  const cli = (...args: string[]) => runCliInProcess(args, env);
  const run = (...extra: string[]) => cli("run", path.join(directory, "pipeline.yaml"), ...db, "--results", path.join(directory, "results"), "--json", ...extra);
  const runs = [await run(), await run(), await run("--set", "topics=red,blue,yellow")];
  const chatRequests = chatRequestsOf(server);
  const policy = ["--policy", path.join(directory, "policy.yaml")];
  return {
    runs,
    chatRequests,
    runsList: await cli("runs", ...db),
    runsJson: await cli("runs", "--json", ...db),
    runsFiltered: await cli("runs", "--json", "--pipeline", "colours", "--status", "budget_stopped", "--since", "1h", "--limit", "2", ...db),
    showLatest: await cli("show", "latest", ...db),
    showLatestJson: await cli("show", "latest", "--json", ...db),
    showStep: await cli("show", "latest", "each", ...db),
    diff: await cli("diff", "latest", ...db),
    diffJson: await cli("diff", "latest", "--json", ...db),
    report: await cli("report", ...policy, ...db),
    reportJson: await cli("report", "--json", ...policy, ...db),
    reportHtml: await reportPage(cli, [...policy, ...db], path.join(directory, "report.html")),
    budgetJson: await cli("budget", "--json", ...policy, ...db),
    cacheStats: await cli("cache", "stats", ...db),
    cacheStatsJson: await cli("cache", "stats", "--json", ...db),
    backtestJson: await cli("backtest", path.join(directory, "policy.yaml"), "--json", ...db),
    tune: await cli("tune", ...db),
    graphJson: await cli("graph", path.join(directory, "pipeline.yaml"), "--run", "latest", "--format", "json", ...db),
    served: await servedPages(directory, location, env),
    directory,
  };
}

async function reportPage(cli: (...args: string[]) => Promise<CliResult>, args: string[], file: string): Promise<ScenarioOutputs["reportHtml"]> {
  const result = await cli("report", "--html", file, ...args);
  return { code: result.code, stderr: result.stderr, showsPrompt: result.code === 0 && readFileSync(file, "utf8").includes("Name a yellow thing.") };
}

/** `orch serve` on the same store: the runs, the latest run and the budgets of its API, and a run's page. */
async function servedPages(directory: string, location: string, env: NodeJS.ProcessEnv): Promise<ServedPages> {
  const serveEnv = { ...env, ORCH_POLICY: path.join(directory, "policy.yaml") };
  const project = await resolveProject(serveEnv, directory);
  const server = await startServer({ project, env: serveEnv, databaseFile: location, port: 0 });
  try {
    const json = async (pathname: string) => {
      const response = await fetch(`${server.url}${pathname}`);
      if (response.status !== 200) throw new Error(`GET ${pathname}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<unknown>;
    };
    const runs = (await json("/api/runs")) as { runs: { id: string }[] };
    const latest = runs.runs[0]!.id;
    const runPage = await fetch(`${server.url}/runs/${encodeURIComponent(latest)}`);
    await runPage.text();
    const stepPage = await fetch(`${server.url}/runs/${encodeURIComponent(latest)}/steps/each`);
    const stepHtml = await stepPage.text();
    return {
      runs,
      latestRun: await json(`/api/runs/${encodeURIComponent(latest)}`),
      budgets: await json("/api/budgets"),
      pageStatuses: [runPage.status, stepPage.status],
      stepPageShowsPrompt: stepHtml.includes("Name a yellow thing."),
    };
  } finally {
    await server.close();
  }
}

/**
 * What a command printed, with what legitimately differs between two runs of the scenario taken
 * out: run ids (numbered in order of appearance), instants and dates, durations and latencies
 * (and the column widths and month-end projection they move), the project folder and the store's
 * location. Everything else — costs, tokens, statuses, prompts, answers, diffs — must be equal.
 */
export function normalised(text: string, places: { directory: string; locations: string[] }): string {
  const ids = new Map<string, string>();
  let result = text;
  for (const location of places.locations) result = result.split(location).join("<store>");
  result = result.split(places.directory).join("<project>");
  result = result
    .replace(/\d{8}-\d{6}-[0-9a-f]{6}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<run ${ids.size + 1}>`);
      return ids.get(id)!;
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<instant>")
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?Z?/g, "<instant>")
    .replace(/\d{4}-\d\d(-\d\d)?/g, "<date>")
    .replace(/"(latencyMs|durationMs|p50Ms|p95Ms|maxMs|elapsedDays|projectedUsd)": ?[\d.e-]+/g, '"$1": <n>')
    .replace(/\b\d+(\.\d+)?m?s\b/g, "<duration>")
    .replace(/over [\d.]+ of \d+ days → \$[\d.]+ projected/g, "over <days> → <projection>")
    .replace(/ {2,}/g, " ");
  return result;
}
