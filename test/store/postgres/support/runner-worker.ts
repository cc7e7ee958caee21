/**
 * One CI runner for the multi-runner test: its own process and connections to the shared
 * PostgreSQL ledger. It says "ready", waits for "go", then reserves worst cases against the team's
 * limits and closes them at random — settling real usage below the worst case, adversarial usage
 * above it (recorded as overruns), settling twice, releasing — with up to three calls in flight.
 * After every step it checks, in one snapshot of the rows, that the day's real money stays within
 * the limit plus the recorded overruns.
 *
 * Mode "doomed": keeps at least one reservation open and says "progress" halfway, after which
 * the test SIGKILLs it wherever it is (possibly inside a transaction).
 */
import { once } from "node:events";
import type { ReservationRequest, ScopeLimit } from "../../../../src/contracts/ledger-store.js";
import { openPostgresStore } from "../../../../src/store/postgres/index.js";
import { createRandom } from "../../../budget/support/random.js";

export interface RunnerSettings {
  url: string;
  seed: number;
  runId: string;
  hostName: string;
  calls: number;
  limits: ScopeLimit[];
  keys: { day: string; month: string };
  createdAt: string;
  expiresAt: string;
  mode: "normal" | "doomed";
}

export interface RunnerReport {
  type: "report";
  runId: string;
  reserved: number;
  refused: number;
  overruns: number;
  settledNanoUsd: number;
  violations: string[];
}

const settings = JSON.parse(process.argv[2] ?? "{}") as RunnerSettings;
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
const store = await openPostgresStore({ url: settings.url, maxConnections: 4 });
const random = createRandom(settings.seed);
const report: RunnerReport = { type: "report", runId: settings.runId, reserved: 0, refused: 0, overruns: 0, settledNanoUsd: 0, violations: [] };
const dayLimit = settings.limits.find((limit) => limit.scope === "day" && !limit.subject)!.limitNanoUsd;

async function checkDay(moment: string): Promise<void> {
  const { rows } = await store.pool.query<{ used: number; overrun: number }>(
    `SELECT COALESCE(SUM(CASE WHEN status = 'settled' THEN settled_nano_usd WHEN status IN ('reserved', 'expired') THEN reserved_nano_usd ELSE 0 END), 0) AS used,
       (SELECT COALESCE(SUM(overrun_nano_usd), 0) FROM budget_overruns WHERE day = $1 AND NOT synthetic) AS overrun
     FROM budget_reservations WHERE day = $1 AND NOT synthetic`,
    [settings.keys.day],
  );
  const { used, overrun } = rows[0]!;
  if (used > dayLimit + overrun) report.violations.push(`${moment}: the day holds ${used} > limit ${dayLimit} + overruns ${overrun}`);
}

function reservation(amountNanoUsd: number): ReservationRequest {
  const synthetic = random.chance(0.1);
  const tags = random.chance(0.5) ? ["hot"] : [];
  return {
    runId: settings.runId,
    ...settings.keys,
    pipelineName: random.pick(["notes", "review"]),
    tags,
    amountNanoUsd,
    ...(synthetic ? { synthetic } : {}),
    limits: settings.limits.filter((limit) => limit.subject?.kind !== "tag" || tags.includes(limit.subject.name)),
    processId: process.pid,
    hostName: settings.hostName,
    createdAt: settings.createdAt,
    expiresAt: settings.expiresAt,
  };
}

async function close(open: { id: number; worstCase: number; synthetic: boolean }): Promise<void> {
  const roll = random.next();
  if (roll < 0.2) {
    await store.ledger.release(open.id, settings.createdAt);
  } else {
    // 10% adversarial: a provider reports usage beyond what the request allowed.
    const actual = roll < 0.3 ? Math.round(open.worstCase * random.between(1.01, 2)) : Math.round(open.worstCase * random.next());
    const outcome = await store.ledger.settle(open.id, actual, settings.createdAt, { step: "step", attempt: 1, provider: "fake", model: "m" });
    if (!outcome.settled) report.violations.push(`reservation ${open.id} was closed before its settle`);
    if (outcome.overrun) report.overruns++;
    report.settledNanoUsd += actual;
    if ((await store.ledger.settle(open.id, actual, settings.createdAt)).settled) report.violations.push(`reservation ${open.id} settled twice`);
  }
  await checkDay(`close ${open.id}`);
}

await send({ type: "ready" });
await once(process, "message");
const open: { id: number; worstCase: number; synthetic: boolean }[] = [];
const keepOpen = settings.mode === "doomed" ? 1 : 0;
for (let call = 0; call < settings.calls; call++) {
  if (settings.mode === "doomed" && call === Math.floor(settings.calls / 2)) void send({ type: "progress" });
  const worstCase = random.integer(1_000_000, 50_000_000);
  const request = reservation(worstCase);
  // A reservation and a settlement of this runner in flight at once, as concurrent steps do.
  const closing = open.length > Math.max(keepOpen, random.integer(0, 3)) ? open.splice(random.integer(0, open.length - 1), 1)[0] : undefined;
  const [outcome] = await Promise.all([store.ledger.reserve(request), closing ? close(closing) : undefined]);
  if (outcome.ok) {
    report.reserved++;
    open.push({ id: outcome.reservationId, worstCase, synthetic: request.synthetic === true });
  } else {
    report.refused++;
  }
  await checkDay(`reserve ${call}`);
}
// A doomed runner is killed wherever it is; should the kill come late, it waits for it holding its reservations.
if (settings.mode === "doomed") await new Promise(() => {});
for (const held of open.splice(0)) await close(held);
await store.close();
await send(report);
process.exit(0);
