/**
 * Property: hundreds of calls reserving, settling and releasing at once, with random prices and
 * token counts, on one database through several connections, never take any scope's settled +
 * open + expired amounts over its hard limit, at any point; and none is left open at the end.
 * A failure prints its seed: `ORCH_PROPERTY_SEED=<seed> node --import tsx --test <this file>`.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createLedger, scopeLimitsFor, usdToNano, type BudgetLimits, type Ledger } from "../../src/budget/index.js";
import { calendarKeys } from "../../src/budget/calendar.js";
import { openStore, type OrchStore } from "../../src/store/index.js";
import type { ScopeLimit } from "../../src/contracts/ledger-store.js";
import { temporaryDirectory } from "../support/cli.js";
import { createRandom, propertySeed, type Random } from "./support/random.js";

const pipelines = ["release-notes", "triage", "digest"];
const tags = ["drafts", "review", "bulk"];
const at = new Date("2026-03-10T12:00:00Z");

interface Caller {
  runId: string;
  pipelineName: string;
  ledger: Ledger;
}

interface Tally {
  reserved: number;
  refused: number;
  settled: number;
  released: number;
  checks: number;
}

function limitsFrom(random: Random): BudgetLimits {
  return {
    runUsd: random.between(1, 4),
    dailyUsd: random.between(6, 12),
    monthlyUsd: random.between(10, 16),
    perPipeline: { "release-notes": { dailyUsd: random.between(2, 4) } },
    perTag: { drafts: { dailyUsd: random.between(1, 3) }, bulk: { monthlyUsd: random.between(2, 5) } },
  };
}

/** Every scope any caller can touch, each checked against the database as a whole. */
function everyScope(limits: BudgetLimits, callers: readonly Caller[]): { limit: ScopeLimit; runId: string }[] {
  const scopes = new Map<string, { limit: ScopeLimit; runId: string }>();
  for (const caller of callers) {
    for (const limit of scopeLimitsFor(limits, { pipelineName: caller.pipelineName, tags })) {
      const key = `${limit.scope}/${limit.subject?.kind ?? ""}/${limit.subject?.name ?? ""}/${limit.scope === "run" ? caller.runId : ""}`;
      scopes.set(key, { limit, runId: caller.runId });
    }
  }
  return [...scopes.values()];
}

async function runProperty(seed: number, calls: number, file: string, limits: BudgetLimits): Promise<Tally> {
  const random = createRandom(seed);
  const stores: OrchStore[] = [await openStore(file), await openStore(file), await openStore(file)];
  const callers: Caller[] = [];
  for (let index = 0; index < 8; index++) {
    const pipelineName = random.pick(pipelines);
    const runId = `seed-${seed}-run-${index}`;
    const ledger = await createLedger({ store: random.pick(stores).ledger, runId, pipelineName, limits, timeZone: "UTC", now: () => at });
    callers.push({ runId, pipelineName, ledger });
  }
  const observer = stores[0]!.ledger;
  const scopes = everyScope(limits, callers);
  const tally: Tally = { reserved: 0, refused: 0, settled: 0, released: 0, checks: 0 };

  const checkEveryLimit = async (moment: string) => {
    tally.checks++;
    for (const { limit, runId } of scopes) {
      const used = await observer.usedInScope(limit.scope, { runId, ...calendarKeys(at, "UTC") }, limit.subject);
      assert.ok(
        used <= limit.limitNanoUsd,
        `seed ${seed}: after ${moment}, ${limit.scope} ${limit.subject?.name ?? ""} holds ${used} nano-USD over its limit ${limit.limitNanoUsd}`,
      );
    }
  };

  const call = async (index: number) => {
    const caller = random.pick(callers);
    const prices = { input: random.between(0.05, 15), output: random.between(0.4, 75) };
    const inputTokens = random.integer(0, 20_000);
    const maxTokens = random.integer(1, 4_096);
    const worstCaseUsd = (inputTokens * prices.input + maxTokens * prices.output) / 1_000_000;
    const stepTags = tags.filter(() => random.chance(0.4));
    await sleep(random.integer(0, 3));
    const reservation = await caller.ledger.reserve(worstCaseUsd, { tags: stepTags });
    await checkEveryLimit(`reserve #${index}`);
    if (!reservation.ok) {
      tally.refused++;
      return;
    }
    tally.reserved++;
    await sleep(random.integer(0, 5));
    if (random.chance(0.75)) {
      const outputTokens = random.integer(0, maxTokens);
      const actualUsd = (inputTokens * prices.input + outputTokens * prices.output) / 1_000_000;
      assert.ok(usdToNano(actualUsd) <= usdToNano(worstCaseUsd));
      await caller.ledger.settle(reservation.reservation, actualUsd);
      tally.settled++;
      await checkEveryLimit(`settle #${index}`);
    } else {
      await caller.ledger.release(reservation.reservation);
      tally.released++;
      await checkEveryLimit(`release #${index}`);
    }
  };

  await Promise.all(Array.from({ length: calls }, (_, index) => call(index)));
  assert.equal(await observer.openReservationCount(), 0, `seed ${seed}: no reservation is left open`);
  for (const store of stores) await store.close();
  return tally;
}

describe("concurrent reservations (property)", () => {
  it("never take a scope over its hard limit, and leave nothing open", async (context) => {
    const seed = propertySeed();
    context.diagnostic(`seed ${seed} (replay with ORCH_PROPERTY_SEED=${seed})`);
    const file = path.join(temporaryDirectory("orch-property-"), "orch.db");
    const total: Tally = { reserved: 0, refused: 0, settled: 0, released: 0, checks: 0 };
    // Several rounds on one database under the same limits: later rounds start from what earlier ones spent.
    const limits = limitsFrom(createRandom(seed));
    for (let round = 0; round < 4; round++) {
      const tally = await runProperty(seed + round + 1, 150, file, limits);
      for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
    }
    context.diagnostic(JSON.stringify(total));
    assert.ok(total.reserved > 50 && total.refused > 50, `seed ${seed}: both outcomes are exercised (${JSON.stringify(total)})`);
    assert.ok(total.settled > 0 && total.released > 0);
  });
});
