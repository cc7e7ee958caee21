/**
 * One process for the shared-calendar test: opens the database, makes a ledger with no policy
 * time zone (so the database's zone decides), reserves an amount at a fixed instant and settles it,
 * then prints what happened as one JSON line. Its own `TZ` comes from the environment.
 */
import { createLedger } from "../../../src/budget/index.js";
import { calendarKeys } from "../../../src/budget/calendar.js";
import { openStore } from "../../../src/store/index.js";

const [file, at, amount] = process.argv.slice(2) as [string, string, string];
const store = await openStore(file);
const now = () => new Date(at);
const ledger = await createLedger({ store: store.ledger, runId: `run-${process.pid}`, pipelineName: "shared", limits: { dailyUsd: 0.005 }, now });
const outcome = await ledger.reserve(Number(amount));
if (outcome.ok) await ledger.settle(outcome.reservation, Number(amount));
await store.close();
process.stdout.write(`${JSON.stringify({ granted: outcome.ok, zone: ledger.timeZone, day: calendarKeys(now(), ledger.timeZone).day, ownDay: calendarKeys(now()).day })}\n`);
