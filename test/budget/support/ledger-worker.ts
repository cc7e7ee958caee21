/**
 * One `orch`-like process for the multi-process ledger test: it opens the shared database, says
 * it is ready, waits for "go", then reserves, settles and releases at random against tight limits,
 * checking after every step (through its own connection) that no limit is exceeded.
 *
 * Mode "crash": reserves a few amounts, says it is ready and kills itself with SIGKILL, leaving
 * its reservations open, as a crashed `orch run` would.
 */
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createLedger, usdToNano, type BudgetLimits, type Reservation } from "../../../src/budget/index.js";
import { calendarKeys } from "../../../src/budget/calendar.js";
import { openStore } from "../../../src/store/index.js";
import { scopeLimitsFor } from "../../../src/budget/limits.js";
import { createRandom } from "./random.js";

export interface WorkerSettings {
  file: string;
  seed: number;
  runId: string;
  calls: number;
  limits: BudgetLimits;
  tags: string[];
  mode: "normal" | "crash";
  at: string;
}

export interface WorkerReport {
  type: "report";
  runId: string;
  reserved: number;
  refused: number;
  settledNanoUsd: number;
  alerts: number;
  expiredSeen: number;
  violations: string[];
}

const settings = JSON.parse(process.argv[2] ?? "{}") as WorkerSettings;
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
const at = new Date(settings.at);
const store = await openStore(settings.file);
const ledger = await createLedger({
  store: store.ledger,
  runId: settings.runId,
  pipelineName: "shared",
  limits: settings.limits,
  timeZone: "UTC",
  now: () => at,
  alerts: [0.5, 0.8, 0.95],
});

if (settings.mode === "crash") {
  for (let index = 0; index < 5; index++) await ledger.reserve(0.01, { tags: settings.tags });
  await send({ type: "ready" });
  process.kill(process.pid, "SIGKILL");
}

const random = createRandom(settings.seed);
const keys = { runId: settings.runId, ...calendarKeys(at, "UTC") };
const report: WorkerReport = { type: "report", runId: settings.runId, reserved: 0, refused: 0, settledNanoUsd: 0, alerts: 0, expiredSeen: 0, violations: [] };

async function checkLimits(moment: string): Promise<void> {
  for (const limit of scopeLimitsFor(settings.limits, { pipelineName: "shared", tags: settings.tags })) {
    const used = await store.ledger.usedInScope(limit.scope, keys, limit.subject);
    if (used > limit.limitNanoUsd) report.violations.push(`${moment}: ${limit.scope} ${limit.subject?.name ?? ""} holds ${used} > ${limit.limitNanoUsd}`);
  }
}

async function close(open: { reservation: Reservation; worstCaseUsd: number }): Promise<void> {
  if (random.chance(0.8)) {
    const actualUsd = open.worstCaseUsd * random.next();
    report.alerts += (await ledger.settle(open.reservation, actualUsd)).length;
    report.settledNanoUsd += usdToNano(actualUsd);
  } else {
    await ledger.release(open.reservation);
  }
  await checkLimits(`close ${open.reservation.id}`);
}

await send({ type: "ready" });
await once(process, "message");
report.expiredSeen += (await ledger.reconcile()).expired.length;
const open: { reservation: Reservation; worstCaseUsd: number }[] = [];
for (let call = 0; call < settings.calls; call++) {
  const worstCaseUsd = random.between(0.001, 0.05);
  const outcome = await ledger.reserve(worstCaseUsd, { tags: random.chance(0.5) ? settings.tags : [] });
  await checkLimits(`reserve ${call}`);
  if (outcome.ok) {
    report.reserved++;
    open.push({ reservation: outcome.reservation, worstCaseUsd });
  } else {
    report.refused++;
  }
  // Keep a few calls in flight, as a run with concurrent steps does.
  while (open.length > random.integer(0, 3)) await close(open.splice(random.integer(0, open.length - 1), 1)[0]!);
  if (random.chance(0.5)) await sleep(random.integer(0, 2));
}
for (const held of open.splice(0)) await close(held);
await store.close();
await send(report);
process.exit(0);
