/**
 * `npm run bench`: every row of issue 11's table, each against a baseline measured in the same
 * run (interleaved round by round), as min / median / max over several rounds, printed as the
 * Markdown table the README quotes and saved to test/bench/last-run.json.
 *
 *   npm run bench                        all rows (a few minutes on a 2-core machine)
 *   npm run bench -- --only=calls,dag    some rows: overhead, dag, calls, growth, startup, calllog, savings, ledger
 *   npm run bench -- --rounds=3          rounds per row (default 3; growth runs once per size)
 *
 * Benchmarks are not tests: nothing here asserts a time. Tests assert behaviour.
 */
import { measureCallLog } from "./call-log.js";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { startFakeLlmServer } from "../../src/fake-server/index.js";
import { formatUsd } from "../../src/money/format-usd.js";
import { estimateTokens } from "../../src/policy/estimate-tokens.js";
import { repositoryRoot, temporaryDirectory } from "../support/cli.js";
import { directPerCallMs, orchPerCallMs } from "./rows/call-overhead.js";
import { measureGrowth } from "./rows/growth.js";
import { ledgerGoalMs, measureLedgerStores, postgresServer, type LedgerRound } from "./rows/ledger-stores.js";
import { createTestDatabase } from "../support/postgres.js";
import { lowerBoundMs, minimalMakespanMs, orchMakespanMs, type Dag } from "./rows/makespan.js";
import { orchRecordedCalls, storeRecordedCalls, type RecordedCallsOptions } from "./rows/recorded-calls.js";
import { savingsBench, savingsCase } from "./rows/savings.js";
import { layeredDag } from "./support/projects.js";
import { formatSpread, rounds, spreadOf } from "./support/stats.js";

const { values } = parseArgs({ options: { only: { type: "string" }, rounds: { type: "string" } } });
const only = values.only ? new Set(values.only.split(",")) : undefined;
const roundCount = Number(values.rounds ?? 3);
const wanted = (row: string) => only === undefined || only.has(row);

interface Row {
  what: string;
  orch: string;
  baseline: string;
  ratio: string;
  goal: string;
}
const table: Row[] = [];
const figures: Record<string, unknown> = {};
const log = (line: string) => process.stderr.write(`${line}\n`);

// The tokenizer loads once per process; every row but start-up measures a warm process.
estimateTokens("load the tokenizer before timing anything");

if (wanted("overhead")) {
  log("added time per call…");
  const server = await startFakeLlmServer();
  const steps = 300;
  await orchPerCallMs(server, 20); // warm both paths: SDK, sockets, JIT
  await directPerCallMs(server, 20);
  const samples = await rounds(roundCount, async () => {
    const direct = await directPerCallMs(server, steps);
    const orch = await orchPerCallMs(server, steps);
    return { direct, orch, added: orch - direct };
  });
  await server.close();
  const added = spreadOf(samples.map((sample) => sample.added));
  figures.overhead = samples;
  table.push({
    what: "added time per call, OpenAI-compatible server on loopback, 300-step chain",
    orch: `+${formatSpread(added, 2, " ms")}`,
    baseline: `direct SDK call ${formatSpread(spreadOf(samples.map((sample) => sample.direct)), 2, " ms")}`,
    ratio: `${(added.median / spreadOf(samples.map((sample) => sample.direct)).median).toFixed(2)}× a direct call`,
    goal: "≤ +0.5 ms",
  });
}

if (wanted("dag")) {
  const dags: Dag[] = [
    { name: "layered DAG (10 layers of 20, 1–3 needs each)", steps: 200, needsOf: layeredDag(20, 7) },
    { name: "40-step chain listed after 160 independent steps", steps: 200, needsOf: (index) => (index <= 160 ? [] : [index - 1]) },
  ];
  for (const dag of dags) {
    log(`makespan: ${dag.name}…`);
    const bound = lowerBoundMs(dag);
    const samples = await rounds(roundCount, async () => ({ orch: (await orchMakespanMs(dag)) / bound, minimal: (await minimalMakespanMs(dag)) / bound }));
    figures[`makespan ${dag.name}`] = { boundMs: bound, samples };
    table.push({
      what: `makespan, 200-step ${dag.name}, 50 ms mock, concurrency 16 (× lower bound ${bound} ms)`,
      orch: formatSpread(spreadOf(samples.map((sample) => sample.orch)), 2, "×"),
      baseline: `minimal timer scheduler ${formatSpread(spreadOf(samples.map((sample) => sample.minimal)), 2, "×")}`,
      ratio: "",
      goal: "≤ 1.05×",
    });
  }
}

if (wanted("calls")) {
  const variants: [string, RecordedCallsOptions, string][] = [
    ["recorded calls per second, 2,000 independent steps answered at once", { steps: 2000, budget: false, seededReservations: 0 }, "≥ 5,000"],
    ["the same with a daily and a monthly budget", { steps: 2000, budget: true, seededReservations: 0 }, "≥ 5,000"],
    ["the same, the month's ledger already holding 10,000 reservations", { steps: 2000, budget: true, seededReservations: 10_000 }, "no slower than an empty month"],
  ];
  for (const [what, options, goal] of variants) {
    log(`${what}…`);
    const samples = await rounds(roundCount, async () => ({ store: await storeRecordedCalls(options), orch: await orchRecordedCalls(options) }));
    figures[what] = samples;
    const orch = spreadOf(samples.map((sample) => sample.orch));
    const store = spreadOf(samples.map((sample) => sample.store));
    table.push({ what, orch: formatSpread(orch, 0), baseline: `orch's store writing the same rows ${formatSpread(store, 0)}`, ratio: `${(orch.median / store.median).toFixed(2)}× the store alone`, goal });
  }
}

if (wanted("growth")) {
  const growth: Record<string, unknown> = {};
  const perStep = (ms: number, steps: number) => `${(ms / steps).toFixed(3)} ms`;
  for (const [steps, shape] of [[100, "chain"], [1000, "chain"], [10_000, "chain"], [10_000, "independent"]] as const) {
    log(`growth: ${steps} ${shape} steps…`);
    const measured = measureGrowth(steps, shape);
    growth[`${steps} ${shape}`] = measured;
    table.push({
      what: `${steps.toLocaleString("en-US")}-step ${shape}: validate / plan / run (mock at once), per step; peak memory`,
      orch: `${perStep(measured.validate.ms, steps)} / ${perStep(measured.plan.ms, steps)} / ${perStep(measured.run.ms, steps)}`,
      baseline: `total ${(measured.validate.ms / 1000).toFixed(2)} s / ${(measured.plan.ms / 1000).toFixed(2)} s / ${(measured.run.ms / 1000).toFixed(2)} s`,
      ratio: `${measured.validate.peakRssMiB.toFixed(0)} / ${measured.plan.peakRssMiB.toFixed(0)} / ${measured.run.peakRssMiB.toFixed(0)} MiB`,
      goal: steps === 10_000 && shape === "chain" ? "validate + plan ≤ 1 s, run ≤ 10 s, ≤ 300 MiB" : "time per step flat as steps grow",
    });
  }
  figures.growth = growth;
}

if (wanted("startup")) {
  log("building dist/ for the start-up row…");
  execFileSync(process.execPath, [path.join(repositoryRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: repositoryRoot, stdio: "inherit" });
  const database = path.join(temporaryDirectory("orch-bench-startup-"), "orch.db");
  const timeProcess = (args: string[]) => {
    const started = performance.now();
    execFileSync(process.execPath, args, { cwd: repositoryRoot, stdio: "ignore", env: { ...process.env, CI: "true" } });
    return performance.now() - started;
  };
  timeProcess([path.join(repositoryRoot, "bin/orch.js"), "plan", "examples/quickstart/pipeline.yaml", "--db", database]);
  const samples = await rounds(Math.max(5, roundCount), async () => ({
    node: timeProcess(["-e", "0"]),
    plan: timeProcess([path.join(repositoryRoot, "bin/orch.js"), "plan", "examples/quickstart/pipeline.yaml", "--db", database]),
  }));
  figures.startup = samples;
  const plan = spreadOf(samples.map((sample) => sample.plan));
  const node = spreadOf(samples.map((sample) => sample.node));
  table.push({ what: "`orch plan` of the quickstart (compiled dist/)", orch: formatSpread(plan, 0, " ms"), baseline: `\`node -e 0\` ${formatSpread(node, 0, " ms")}`, ratio: `${(plan.median / node.median).toFixed(1)}×`, goal: "≤ 250 ms" });
}

if (wanted("calllog")) {
  log("call log…");
  const measured = measureCallLog();
  figures.callLog = measured;
  table.push({
    what: `the call log (issue 12): storing each call's messages and answer, ${measured.calls.toLocaleString("en-US")} calls`,
    orch: `${measured.withMs} ms`,
    baseline: `the same rows without the texts ${measured.withoutMs} ms`,
    ratio: `+${measured.overheadPerCallMs} ms per call`,
    goal: "≤ 0.2 ms per call",
  });
}

if (wanted("savings")) {
  // Money, not time: one run per way is exact (the fake server and the ledger are deterministic).
  const server = await startFakeLlmServer();
  try {
    const measured = await savingsBench(server, ["anthropic", "openai", "gemini"], log);
    figures.savings = measured;
    for (const vendor of measured) {
      const ways = [vendor.ways.nothing!, vendor.ways.caching!, vendor.ways.batch!, vendor.ways.both!];
      table.push({
        what: `cost of a ${savingsCase.items}-item for_each sharing a ${savingsCase.contextWords.toLocaleString("en-US")}-token context, ${vendor.model}, from orch's ledger: nothing / provider caching / batch / both`,
        orch: ways.map((way) => formatUsd(way.usd)).join(" / "),
        baseline: `nothing ${formatUsd(ways[0]!.usd)}`,
        ratio: ways.map((way) => `${way.ratio}×`).join(" / "),
        goal: "batch 0.5×; both below either",
      });
    }
  } finally {
    await server.close();
  }
}

if (wanted("ledger")) {
  // Issue 14: the shared ledger on PostgreSQL (loopback) against SQLite, in the same run.
  const server = postgresServer();
  if ("unavailable" in server) {
    log(`ledger rows skipped: ${server.unavailable}`);
    figures.ledger = { skipped: server.unavailable };
    table.push({ what: "reserve + settle on PostgreSQL vs SQLite (issue 14)", orch: `skipped: ${server.unavailable}`, baseline: "", ratio: "", goal: `< +${ledgerGoalMs} ms median per call` });
  } else {
    try {
      const measured = await measureLedgerStores(server, roundCount, log);
      const of = (rounds: LedgerRound[], figure: keyof LedgerRound) => spreadOf(rounds.map((round) => round[figure] ?? Number.NaN));
      const added = spreadOf(measured.postgres.map((round, index) => round.pairMedianMs - measured.sqlite[index]!.pairMedianMs));
      const latency = (rounds: LedgerRound[]) => `${formatSpread(of(rounds, "pairMedianMs"), 2, " ms")} / p95 ${formatSpread(of(rounds, "pairP95Ms"), 2, " ms")}`;
      const rate = (rounds: LedgerRound[]) => `${formatSpread(of(rounds, "oneCallerPerSecond"), 0)} / ${formatSpread(of(rounds, "eightCallersPerSecond"), 0)}`;
      table.push({
        what: "reserve + settle per call, team day budget (the ledger as `orch run` calls it): median / p95, PostgreSQL on loopback",
        orch: latency(measured.postgres),
        baseline: `SQLite (WAL file) ${latency(measured.sqlite)}`,
        ratio: `+${formatSpread(added, 2, " ms")} per call: ${of(measured.postgres, "statementsPerPair").median} statements, one \`SELECT 1\` round trip ${formatSpread(of(measured.postgres, "roundTripMs"), 2, " ms")}`,
        goal: `< +${ledgerGoalMs} ms median per call`,
      });
      table.push({
        what: "reserve + settle pairs per second, 1 / 8 callers in one process, one team's day and month rows",
        orch: rate(measured.postgres),
        baseline: `SQLite ${rate(measured.sqlite)}`,
        ratio: `${(of(measured.postgres, "eightCallersPerSecond").median / of(measured.sqlite, "eightCallersPerSecond").median).toFixed(2)}× SQLite at 8 callers`,
        goal: "",
      });

      log("added time per call of `orch run` on PostgreSQL…");
      const fake = await startFakeLlmServer();
      process.env.ORCH_TEST_POSTGRES_URL = server.url;
      const steps = 300;
      await orchPerCallMs(fake, 20, { budget: true });
      const samples = await rounds(roundCount, async () => {
        const database = await createTestDatabase("orch_bench_run");
        try {
          const sqlite = await orchPerCallMs(fake, steps, { budget: true });
          const postgres = await orchPerCallMs(fake, steps, { budget: true, database: database.url });
          return { sqlite, postgres, added: postgres - sqlite };
        } finally {
          await database.drop();
        }
      });
      await fake.close();
      figures.ledger = { ...measured, run: samples };
      table.push({
        what: `\`orch run\` per call, ${steps}-step chain on the fake server, daily + monthly budget, everything recorded on PostgreSQL (--db postgres://)`,
        orch: formatSpread(spreadOf(samples.map((sample) => sample.postgres)), 2, " ms"),
        baseline: `SQLite ${formatSpread(spreadOf(samples.map((sample) => sample.sqlite)), 2, " ms")}`,
        ratio: `+${formatSpread(spreadOf(samples.map((sample) => sample.added)), 2, " ms")} per call`,
        goal: "(run log, cache and ledger all on the server)",
      });
    } finally {
      server.stop();
    }
  }
}

const lines = [
  `Node ${process.version}, ${roundCount} rounds per row (median, min–max in brackets), orch and its baseline interleaved round by round.`,
  "",
  "| what | orch | baseline in the same run | ratio / memory | goal |",
  "|---|---|---|---|---|",
  ...table.map((row) => `| ${row.what} | ${row.orch} | ${row.baseline} | ${row.ratio} | ${row.goal} |`),
];
console.log(lines.join("\n"));
const outputDirectory = path.join(repositoryRoot, "test/bench");
mkdirSync(outputDirectory, { recursive: true });
writeFileSync(path.join(outputDirectory, "last-run.json"), `${JSON.stringify({ node: process.version, rounds: roundCount, table, figures }, null, 2)}\n`);
