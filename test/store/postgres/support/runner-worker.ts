/**
 * One CI runner for the multi-runner test: its own process and connections to the shared
 * PostgreSQL ledger, spending for one project of team "platform". It says "ready", waits for "go",
 * then reserves worst cases through the budget ledger (`createLedger`, which reads the team's limits
 * from the database at every reservation, as `orch run` does) and closes them at random — settling
 * real usage below the worst case, adversarial usage above it (recorded as overruns), settling
 * twice, releasing — with up to three calls in flight. After every step it checks, in one snapshot
 * of the rows, that the team's day and its project's day hold no more real money than their limits
 * plus the overruns recorded in them.
 *
 * Mode "doomed": keeps at least one reservation open and says "progress" halfway, after which
 * the test SIGKILLs it wherever it is (possibly inside a transaction).
 */
import { once } from "node:events";
import { createLedger, type Ledger } from "../../../../src/budget/ledger.js";
import { openPostgresStore } from "../../../../src/store/postgres/index.js";
import { createRandom } from "../../../budget/support/random.js";

export interface RunnerSettings {
  url: string;
  seed: number;
  runId: string;
  hostName: string;
  calls: number;
  team: string;
  project: string;
  /** The limits the runner checks after every step (as the test stored them): the team's day, and its project's day if capped. */
  teamDailyNanoUsd: number;
  projectDailyNanoUsd?: number;
  /** The day (UTC, the database's calendar) the ledger's clock stands on: every reservation is made at this instant. */
  now: string;
  mode: "normal" | "doomed";
}

export interface RunnerReport {
  type: "report";
  runId: string;
  reserved: number;
  /** Refusals by the kind of limit that refused: "team", "project", or "all" (a limit without subject). */
  refusedBy: Record<string, number>;
  overruns: number;
  settledNanoUsd: number;
  violations: string[];
}

const settings = JSON.parse(process.argv[2] ?? "{}") as RunnerSettings;
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
const store = await openPostgresStore({ url: settings.url, maxConnections: 4 });
const random = createRandom(settings.seed);
const report: RunnerReport = { type: "report", runId: settings.runId, reserved: 0, refusedBy: {}, overruns: 0, settledNanoUsd: 0, violations: [] };
const now = new Date(settings.now);
const day = now.toISOString().slice(0, 10);
const ledgerOf = (pipelineName: string): Promise<Ledger> =>
  createLedger({
    store: store.ledger,
    runId: settings.runId,
    pipelineName,
    limits: { project: { project: settings.project, team: settings.team } },
    now: () => now,
    processId: process.pid,
    hostName: settings.hostName,
  });
const ledgers = { notes: await ledgerOf("notes"), review: await ledgerOf("review") };

/** Real money held in the team's day and in this project's day, and the overruns recorded in each; one statement, one snapshot. */
async function checkDay(moment: string): Promise<void> {
  const { rows } = await store.pool.query<{ team_used: string; team_overrun: string; project_used: string; project_overrun: string }>(
    `WITH held AS (
       SELECT r.project, CASE WHEN r.status = 'settled' THEN r.settled_nano_usd WHEN r.status IN ('reserved', 'expired') THEN r.reserved_nano_usd ELSE 0 END AS used,
         COALESCE(o.overrun_nano_usd, 0) AS overrun
       FROM budget_reservations r LEFT JOIN budget_overruns o ON o.reservation_id = r.id
       WHERE r.day = $1 AND r.team = $2 AND NOT r.synthetic
     )
     SELECT COALESCE(SUM(used), 0) AS team_used, COALESCE(SUM(overrun), 0) AS team_overrun,
       COALESCE(SUM(used) FILTER (WHERE project = $3), 0) AS project_used, COALESCE(SUM(overrun) FILTER (WHERE project = $3), 0) AS project_overrun
     FROM held`,
    [day, settings.team, settings.project],
  );
  const figures = rows[0]!;
  const [teamUsed, teamOverrun, projectUsed, projectOverrun] = [figures.team_used, figures.team_overrun, figures.project_used, figures.project_overrun].map(Number) as [number, number, number, number];
  if (teamUsed > settings.teamDailyNanoUsd + teamOverrun) {
    report.violations.push(`${moment}: team ${settings.team}'s day holds ${teamUsed} > limit ${settings.teamDailyNanoUsd} + overruns ${teamOverrun}`);
  }
  if (settings.projectDailyNanoUsd !== undefined && projectUsed > settings.projectDailyNanoUsd + projectOverrun) {
    report.violations.push(`${moment}: project ${settings.project}'s day holds ${projectUsed} > limit ${settings.projectDailyNanoUsd} + overruns ${projectOverrun}`);
  }
}

interface Held {
  id: number;
  worstCase: number;
}

async function reserve(worstCase: number): Promise<Held | undefined> {
  const ledger = random.chance(0.5) ? ledgers.notes : ledgers.review;
  const synthetic = random.chance(0.1);
  const tags = random.chance(0.5) ? ["hot"] : [];
  // Whole nano-dollars print back exactly as USD (under $1M), so the ledger reserves `worstCase` nano-dollars.
  const outcome = await ledger.reserve(worstCase / 1e9, { tags, ...(synthetic ? { synthetic } : {}) });
  if (outcome.ok) {
    report.reserved++;
    return { id: outcome.reservation.id, worstCase };
  }
  const kind = outcome.refusal.subject?.kind ?? "all";
  report.refusedBy[kind] = (report.refusedBy[kind] ?? 0) + 1;
  return undefined;
}

async function close(held: Held): Promise<void> {
  const roll = random.next();
  const at = now.toISOString();
  if (roll < 0.2) {
    await store.ledger.release(held.id, at);
  } else {
    // 10% adversarial: a provider reports usage beyond what the request allowed.
    const actual = roll < 0.3 ? Math.round(held.worstCase * random.between(1.01, 2)) : Math.round(held.worstCase * random.next());
    const outcome = await store.ledger.settle(held.id, actual, at, { step: "step", attempt: 1, provider: "fake", model: "m" });
    if (!outcome.settled) report.violations.push(`reservation ${held.id} was closed before its settle`);
    if (outcome.overrun) report.overruns++;
    report.settledNanoUsd += actual;
    if ((await store.ledger.settle(held.id, actual, at)).settled) report.violations.push(`reservation ${held.id} settled twice`);
  }
  await checkDay(`close ${held.id}`);
}

await send({ type: "ready" });
await once(process, "message");
const open: Held[] = [];
const keepOpen = settings.mode === "doomed" ? 1 : 0;
for (let call = 0; call < settings.calls; call++) {
  if (settings.mode === "doomed" && call === Math.floor(settings.calls / 2)) void send({ type: "progress" });
  const worstCase = random.integer(1_000_000, 50_000_000);
  // A reservation and a settlement of this runner in flight at once, as concurrent steps do.
  const closing = open.length > Math.max(keepOpen, random.integer(0, 3)) ? open.splice(random.integer(0, open.length - 1), 1)[0] : undefined;
  const [held] = await Promise.all([reserve(worstCase), closing ? close(closing) : undefined]);
  if (held) open.push(held);
  await checkDay(`reserve ${call}`);
}
// A doomed runner is killed wherever it is; should the kill come late, it waits for it holding its reservations.
if (settings.mode === "doomed") await new Promise(() => {});
for (const held of open.splice(0)) await close(held);
await store.close();
await send(report);
process.exit(0);
