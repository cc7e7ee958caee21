/**
 * The issue's proof: eight processes standing for eight CI runners share one PostgreSQL ledger
 * with a team's daily budget. They spend for team "platform", split over three projects (app, api,
 * web); the team's limits and two projects' caps are stored in the database with the real
 * `orch budget team set`, and each runner's ledger reads them there. All settle real and
 * adversarial usage; two are SIGKILLed mid-run, one of them standing for another machine (its
 * process id cannot be asked; its lease tells).
 *
 * Settled + open + expired money never exceeds the team's (and each capped project's) day limit
 * except through recorded overruns — checked by every runner after every step, and at the end;
 * after reconciliation no reservation is left open; the running totals agree with the rows; and the
 * real `orch budget` and `orch budget team show` print, for today, the figures summed here from the
 * rows with SQL. A failure prints its seed: `ORCH_PROPERTY_SEED=<seed> node --import tsx --test <this file>`.
 *
 * The runners make their reservations on today's date in the database's calendar (fixed to UTC
 * here), because `orch budget` reads the real clock: the test starts away from midnight UTC (see
 * `startAwayFromMidnight`) so the CLI reads the same day the runners spent in.
 */
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { reconcileLedger } from "../../../src/budget/reconcile.js";
import { openPostgresStore, type PostgresStore } from "../../../src/store/postgres/index.js";
import { propertySeed } from "../../budget/support/random.js";
import { runCliInProcess, temporaryDirectory } from "../../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";
import { heldFromRows, leasesReleased, overrunsFromRows, storedLimit, totalsNotMatchingRows, type HeldFromRows } from "./support/ledger-rows.js";
import type { RunnerReport, RunnerSettings } from "./support/runner-worker.js";

const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/runner-worker.ts");
const tsxLoader = import.meta.resolve("tsx");
const team = "platform";
const projects = ["app", "api", "web"] as const;
/** What `orch budget team set` stores, in USD as typed and in nano-dollars as the test checks it. */
const teamDailyNano = 1_000_000_000;
const projectDailyNano: Record<string, number | undefined> = { app: 400_000_000, api: 350_000_000 };
const setTeamLimits = ["budget", "team", "set", team, "--daily", "1", "--monthly", "30", "--project", "app=0.40/day", "--project", "api=0.35/day", "--by", "lead@ci"];
/** A project's policy, as a runner's repository would hold it: it names the team and the project, and no limit (the team's are stored). */
const policyOfProject = (project: string) => `version: 1
providers:
  local: { type: mock }
models:
  small: { model: "local:m", prices: { input: 1, output: 2 } }
tiers: { economy: [small], standard: [small], premium: [small] }
budget:
  team: ${team}
  project: ${project}
`;
/** Longer than the test takes (about 10 s here), so that the CLI at the end reads the day the runners spent in. */
const marginBeforeMidnightMs = 90_000;

/** The instant the runners' ledgers stand on: now, or just past midnight UTC when midnight is too close for the test to finish on one day. */
async function startAwayFromMidnight(): Promise<Date> {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  if (midnight - now.getTime() >= marginBeforeMidnightMs) return now;
  await new Promise((resolve) => setTimeout(resolve, midnight - now.getTime() + 1_000));
  return new Date();
}

interface Runner {
  child: ChildProcess;
  message(type: string): Promise<unknown>;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function startRunner(settings: RunnerSettings): Runner {
  const child = fork(workerFile, [JSON.stringify(settings)], { execArgv: ["--import", tsxLoader], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const message = (type: string) =>
    new Promise<unknown>((resolve) => {
      const listener = (received: { type?: string }) => {
        if (received.type !== type) return;
        child.off("message", listener);
        resolve(received);
      };
      child.on("message", listener);
      void exit.then(() => resolve(undefined));
    });
  return { child, message, exit };
}

/** A scope's figures as `orch budget --json` prints them (team tree and policy scopes alike). */
interface PrintedFigures {
  period: string;
  limits?: { limitUsd: number; source: { from: string; setBy?: string } }[];
  limitUsd?: number;
  spentUsd: number;
  reservedUsd: number;
  expiredUsd: number;
  expiredCount: number;
  leftUsd?: number;
}

interface PrintedTeam {
  timeZone: string;
  /** The team's stored limits. */
  limits: { project?: string; scope: string; limitUsd: number }[];
  team: string;
  day: PrintedFigures;
  month: PrintedFigures;
  projects: { project: string; day: PrintedFigures; month: PrintedFigures; pipelines: { pipeline: string; day: PrintedFigures; month: PrintedFigures }[] }[];
}

/** What `orch budget` must print for a scope holding `rows`, under `limit` (nano-dollars) if any. USD = nano / 1e9. */
function expectedFigures(rows: HeldFromRows, limit: number | undefined) {
  const used = rows.spent + rows.held + rows.expired;
  return {
    spentUsd: rows.spent / 1e9,
    reservedUsd: rows.held / 1e9,
    expiredUsd: rows.expired / 1e9,
    expiredCount: rows.expiredCount,
    ...(limit === undefined ? {} : { leftUsd: Math.max(0, limit - used) / 1e9 }),
  };
}

const printed = (figures: PrintedFigures) => ({
  spentUsd: figures.spentUsd,
  reservedUsd: figures.reservedUsd,
  expiredUsd: figures.expiredUsd,
  expiredCount: figures.expiredCount,
  ...(figures.leftUsd === undefined ? {} : { leftUsd: figures.leftUsd }),
});

describe("eight CI runners sharing one PostgreSQL ledger with a team's daily budget", { skip: postgresSkip() }, () => {
  let database: TestDatabase;
  let store: PostgresStore;
  before(async () => {
    database = await createTestDatabase("orch_runners");
    store = await openPostgresStore({ url: database.url });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it("never overspend the team's day but through recorded overruns, leak nothing, and `orch budget` prints the rows", { timeout: 240_000 }, async (context) => {
    const seed = propertySeed();
    context.diagnostic(`seed ${seed} (replay with ORCH_PROPERTY_SEED=${seed})`);
    const startedAt = await startAwayFromMidnight();
    const day = startedAt.toISOString().slice(0, 10);
    const month = day.slice(0, 7);
    assert.equal(await store.ledger.calendarZone("UTC", startedAt.toISOString()), "UTC", "the database's calendar is fixed to UTC before any runner asks");
    const set = await runCliInProcess([...setTeamLimits, "--db", database.url]);
    assert.equal(set.code, 0, set.stderr);

    const thisHost = os.hostname();
    // Runner 6 (project app) crashes on this machine (its pid can be asked); runner 7 (project api) on another machine (only its lease tells).
    const runners = Array.from({ length: 8 }, (_, index) => {
      const project = projects[index % projects.length]!;
      const projectLimit = projectDailyNano[project];
      return startRunner({
        url: database.url,
        seed: seed + index,
        runId: `runner-${index}`,
        hostName: index === 7 ? "another-machine" : thisHost,
        calls: 60,
        team,
        project,
        teamDailyNanoUsd: teamDailyNano,
        ...(projectLimit === undefined ? {} : { projectDailyNanoUsd: projectLimit }),
        now: startedAt.toISOString(),
        mode: index >= 6 ? "doomed" : "normal",
      });
    });
    await Promise.all(runners.map((runner) => runner.message("ready")));
    const reports = runners.slice(0, 6).map((runner) => runner.message("report") as Promise<RunnerReport | undefined>);
    const doomed = runners.slice(6).map(async (runner) => {
      await runner.message("progress");
      runner.child.kill("SIGKILL");
      return runner.exit;
    });
    for (const runner of runners) runner.child.send("go");
    const finished = await Promise.all(reports);
    assert.deepEqual((await Promise.all(runners.slice(0, 6).map((runner) => runner.exit))).map(([code]) => code), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual((await Promise.all(doomed)).map(([, signal]) => signal), ["SIGKILL", "SIGKILL"]);

    const pool = store.pool;
    const count = async (sql: string, ...parameters: unknown[]) => Number((await pool.query(sql, parameters)).rows[0].total);
    for (const report of finished) {
      assert.ok(report, `seed ${seed}: every surviving runner reported`);
      assert.deepEqual(report.violations, [], `seed ${seed}: ${report.runId}`);
      assert.equal(await count(`SELECT COALESCE(SUM(settled_nano_usd), 0) AS total FROM budget_reservations WHERE run_id = $1`, report.runId), report.settledNanoUsd);
    }
    const refusedBy = (kind: string) => finished.reduce((total, report) => total + (report!.refusedBy[kind] ?? 0), 0);
    const overrunCount = finished.reduce((total, report) => total + report!.overruns, 0);
    context.diagnostic(`refused by the team ${refusedBy("team")}, by a project ${refusedBy("project")}; ${overrunCount} overruns`);
    assert.ok(refusedBy("team") > 0, `seed ${seed}: the team's daily limit bound (refused reservations)`);
    assert.ok(overrunCount > 0, `seed ${seed}: adversarial usage was recorded as overruns`);
    assert.equal(await count(`SELECT COUNT(*) AS total FROM budget_reservations WHERE day <> $1 OR team IS DISTINCT FROM $2`, day, team), 0, "every reservation is the team's, on today's date");

    // The killed runners left reservations open. Runner 6's pid can be asked on this machine; runner 7's
    // machine cannot be asked, but its session lease is free once the server has seen its connection close.
    const openOf = (runId: string) => count(`SELECT COUNT(*) AS total FROM budget_reservations WHERE status = 'reserved' AND run_id = $1`, runId);
    const heldBy6 = await openOf("runner-6");
    const heldBy7 = await openOf("runner-7");
    assert.ok(heldBy6 >= 1 && heldBy7 >= 1, `seed ${seed}: each killed runner held reservations (${heldBy6}, ${heldBy7})`);
    assert.equal(await store.ledger.openReservationCount(), heldBy6 + heldBy7, "the survivors closed all of theirs");
    await leasesReleased(pool, ["runner-6", "runner-7"]);

    const reconciled = await reconcileLedger(store.ledger, { now: startedAt, hostName: thisHost });
    assert.deepEqual(
      reconciled.expired.map((row) => `${row.runId} ${row.reason}`).sort(),
      [...Array(heldBy6).fill("runner-6 process-gone"), ...Array(heldBy7).fill("runner-7 process-gone")],
      "both killed runners' reservations expire at once, before their deadline",
    );
    assert.equal(await store.ledger.openReservationCount(), 0, `seed ${seed}: no reservation leaked`);

    // The team's day, and each capped project's, within its limit plus the overruns recorded in it.
    const teamDay = await heldFromRows(pool, "day", day, "team = $2", team);
    const teamOverruns = await overrunsFromRows(pool, day, "r.team = $2", team);
    const sum = (amounts: number[]) => amounts.reduce((total, amount) => total + amount, 0);
    const usedOf = (rows: HeldFromRows) => rows.spent + rows.held + rows.expired;
    context.diagnostic(`team day used ${usedOf(teamDay)} (expired ${teamDay.expired}), overruns ${sum(teamOverruns)}, limit ${teamDailyNano}`);
    assert.ok(usedOf(teamDay) <= teamDailyNano + sum(teamOverruns), `seed ${seed}: team day ${usedOf(teamDay)} within the limit plus overruns ${sum(teamOverruns)}`);
    for (const project of projects) {
      const limit = projectDailyNano[project];
      if (limit === undefined) continue;
      const used = usedOf(await heldFromRows(pool, "day", day, "project = $2", project));
      const overrun = sum(await overrunsFromRows(pool, day, "r.project = $2", project));
      assert.ok(used <= limit + overrun, `seed ${seed}: project ${project}'s day ${used} within its cap ${limit} plus overruns ${overrun}`);
    }
    assert.deepEqual(await totalsNotMatchingRows(pool), [], `seed ${seed}: running totals equal the rows`);

    // The real CLI, reading the same database on the real clock: today's figures must be the rows'.
    const folder = temporaryDirectory("orch-runners-policy-");
    const policyFile = path.join(folder, "policy.yaml");
    writeFileSync(policyFile, policyOfProject("app"));
    const budget = await runCliInProcess(["budget", "--db", database.url, "--policy", policyFile, "--json"]);
    assert.equal(budget.code, 3, `exit 3: the day holds overruns\n${budget.stderr}`);
    const shown = JSON.parse(budget.stdout) as {
      timeZone: string;
      day: string;
      month: string;
      scopes: (PrintedFigures & { scope: string; subject?: { kind: string; name: string } })[];
      overruns: { overrunUsd: number; synthetic: boolean }[];
      reconciled: { expired: unknown[] };
      team: PrintedTeam;
    };
    assert.equal(new Date().toISOString().slice(0, 10), day, `the test ran past midnight UTC (more than ${marginBeforeMidnightMs} ms): the CLI read another day`);
    assert.deepEqual([shown.timeZone, shown.day, shown.month, shown.team.timeZone], ["UTC", day, month, "UTC"]);
    assert.deepEqual(shown.reconciled.expired, [], "nothing left to reconcile");
    assert.deepEqual(
      shown.overruns.map((overrun) => Math.round(overrun.overrunUsd * 1e9)).sort((a, b) => a - b),
      teamOverruns,
      "the day's recorded overruns are the team's, as the rows hold them",
    );

    const dayScope = (kind?: string, name?: string) => shown.scopes.find((scope) => scope.scope === "day" && scope.subject?.kind === kind && scope.subject?.name === name)!;
    assert.deepEqual(printed(dayScope()), expectedFigures(await heldFromRows(pool, "day", day, "TRUE"), undefined), "the database's day");
    assert.deepEqual(printed(dayScope("project", "app")), expectedFigures(await heldFromRows(pool, "day", day, "project = 'app'"), undefined), "the policy's project");

    const tree = shown.team;
    assert.equal(tree.team, team);
    assert.deepEqual([tree.day.period, tree.month.period], [day, month]);
    assert.deepEqual(printed(tree.day), expectedFigures(teamDay, await storedLimit(pool, team, "", "day")), "team day: spent, held, expired, left");
    assert.deepEqual(printed(tree.month), expectedFigures(await heldFromRows(pool, "month", month, "team = $2", team), await storedLimit(pool, team, "", "month")), "team month");
    assert.deepEqual(
      tree.day.limits?.map((limit) => ({ limitUsd: limit.limitUsd, from: limit.source.from, setBy: limit.source.setBy })),
      [{ limitUsd: 1, from: "team", setBy: "lead@ci" }],
      "the team's day limit, and who set it",
    );
    assert.deepEqual(tree.projects.map((project) => project.project), [...projects].sort());
    for (const project of tree.projects) {
      const cap = await storedLimit(pool, team, project.project, "day");
      assert.equal(cap, projectDailyNano[project.project], `the cap of ${project.project} as stored`);
      assert.deepEqual(printed(project.day), expectedFigures(await heldFromRows(pool, "day", day, "project = $2", project.project), cap), `project ${project.project}'s day`);
      assert.deepEqual(project.pipelines.map((pipeline) => pipeline.pipeline), ["notes", "review"]);
      for (const pipeline of project.pipelines) {
        const rows = await heldFromRows(pool, "day", day, "project = $2 AND pipeline_name = $3", project.project, pipeline.pipeline);
        assert.deepEqual(printed(pipeline.day), expectedFigures(rows, undefined), `${project.project}/${pipeline.pipeline}'s day`);
      }
    }

    // `orch budget team show`, without a policy, prints the same tree.
    const teamShow = await runCliInProcess(["budget", "team", "show", team, "--db", database.url, "--json"]);
    assert.equal(teamShow.code, 0, teamShow.stderr);
    assert.deepEqual(JSON.parse(teamShow.stdout), tree);
    assert.deepEqual(
      tree.limits.map(({ project, scope, limitUsd }) => `${project ?? team} ${scope} ${limitUsd}`).sort(),
      ["api day 0.35", "app day 0.4", "platform day 1", "platform month 30"],
    );
  });
});
