/**
 * Property, seeded and replayable: calls priced with tiers and cached tokens go through the real
 * resilience layer (retries with a gate) against adversarial providers (failures carrying usage,
 * output above max_tokens, input above the byte bound), several at once on one ledger. After every
 * step: what each scope holds (settled + open) minus its recorded overruns never exceeds its
 * limit; every settlement above its reservation is an overrun row and an event; nothing is left open.
 * A failure prints its seed: `ORCH_PROPERTY_SEED=<seed> node --import tsx --test <this file>`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLedger, type BudgetOverrun } from "../../src/budget/index.js";
import { calendarKeys } from "../../src/budget/calendar.js";
import { coverAttempts } from "../../src/executor/attempt-reservations.js";
import type { Candidate } from "../../src/policy/decision.js";
import { nanoToUsd } from "../../src/money/nano.js";
import { billNano, type ModelPrices } from "../../src/providers/pricing.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import type { Provider, TokenUsage } from "../../src/providers/provider.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { createRandom, propertySeed } from "./support/random.js";

const prices: ModelPrices = { input: 2, output: 8, cachedInput: 0.5, tiers: [{ aboveInputTokens: 2000, input: 4, output: 16, cachedInput: 1 }], source: "policy" };
const limits = { runUsd: 0.4, dailyUsd: 0.3, monthlyUsd: 0.35 };
const at = new Date("2026-03-10T12:00:00Z");
const never = new AbortController().signal;

describe("reservations through tiers, retries and adversarial usage (property)", () => {
  it("hold every limit except through recorded overruns, report every overrun and leak nothing", { timeout: 60_000 }, async (context) => {
    const seed = propertySeed();
    context.diagnostic(`seed ${seed} (replay with ORCH_PROPERTY_SEED=${seed})`);
    const random = createRandom(seed);
    const store = openSqliteStore(":memory:");
    const events: BudgetOverrun[] = [];
    const ledger = await createLedger({ store: store.ledger, runId: "run", pipelineName: "p", limits, timeZone: "UTC", now: () => at, onOverrun: (overrun) => events.push(overrun) });
    const keys = { runId: "run", ...calendarKeys(at, "UTC") };
    const overrunIn = (scope: "run" | "day" | "month") =>
      (store.database.prepare(`SELECT COALESCE(SUM(overrun_nano_usd), 0) AS total FROM budget_overruns WHERE ${scope === "run" ? "run_id" : scope} = ?`).get(scope === "run" ? keys.runId : keys[scope]) as { total: number }).total;
    const check = async (moment: string) => {
      for (const [scope, limit] of [["run", limits.runUsd], ["day", limits.dailyUsd], ["month", limits.monthlyUsd]] as const) {
        const held = await store.ledger.usedInScope(scope, keys);
        assert.ok(held - overrunIn(scope) <= Math.round(limit * 1e9), `seed ${seed}, ${moment}: ${scope} holds ${held} (overruns ${overrunIn(scope)}) > ${limit}`);
      }
    };

    const callOnce = async (index: number) => {
      const maxTokens = random.integer(10, 4000);
      const promptBytes = random.integer(10, 6000);
      const worstCaseUsd = nanoToUsd(billNano({ inputTokens: promptBytes, outputTokens: maxTokens }, prices));
      const usageOf = (): TokenUsage => {
        const adversarial = random.chance(0.15);
        const inputTokens = adversarial ? promptBytes * random.integer(2, 20) : random.integer(1, promptBytes);
        const outputTokens = adversarial ? maxTokens * random.integer(2, 10) : random.integer(0, maxTokens);
        return { inputTokens, outputTokens, cachedInputTokens: random.integer(0, inputTokens), reasoningTokens: random.integer(0, outputTokens) };
      };
      const failures = random.integer(0, 3);
      let attempts = 0;
      const inner: Provider = {
        id: "adversary",
        type: "openai",
        pricing: "metered",
        local: false,
        async call() {
          attempts++;
          if (attempts <= failures) throw new ProviderError({ kind: "server", provider: "adversary", message: "boom", ...(random.chance(0.7) ? { usage: usageOf() } : {}) });
          return { text: "ok", usage: usageOf(), model: "m", latencyMs: 1 };
        },
        available: async () => ({ available: true }),
      };
      const provider = withResilience(inner, { max_retries: 3 }, { env: {}, workingDirectory: ".", policyDirectory: ".", sleep: async () => {} }, { baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0, random: () => 0 });
      const first = await ledger.reserve(worstCaseUsd);
      await check(`call ${index} reserve`);
      if (!first.ok) return;
      const candidate = { reference: "m", provider: "adversary", model: "m", local: false, pricing: "metered", estimatedCostUsd: { min: 0, max: worstCaseUsd }, prices } as Candidate;
      const reservations = coverAttempts(
        { reserve: async (...args) => { const outcome = await ledger.reserve(...args); await check(`call ${index} retry reserve`); return outcome; }, settle: ledger.settle, release: ledger.release },
        { first: first.reservation, candidate, call: { step: `s${index}`, attempt: 1, provider: "adversary", model: "m" }, worstCaseUsd, tags: [], synthetic: false },
      );
      let total: TokenUsage | undefined;
      try {
        total = (await provider.call({ model: "m", messages: [], maxTokens, origin: { runId: "run", step: "s" } }, never, reservations.gate)).usage;
      } catch (error) {
        total = ProviderError.isInstance(error) ? error.usage : undefined;
      }
      const open = reservations.open();
      if (open) {
        const lastCost = total === undefined ? 0 : nanoToUsd(billNano(reservations.remainingUsage(total), prices));
        if (lastCost > 0) await ledger.settle(open, lastCost, { step: `s${index}`, attempt: 1, provider: "adversary", model: "m" });
        else await ledger.release(open);
      }
      await check(`call ${index} settle`);
    };

    for (let round = 0; round < 40; round++) {
      // A few calls at once, as concurrent steps of a run make them.
      await Promise.all(Array.from({ length: random.integer(1, 4) }, (_, offset) => callOnce(round * 10 + offset)));
    }

    assert.equal(await store.ledger.openReservationCount(), 0, `seed ${seed}: no reservation leaks`);
    const overRows = store.database.prepare(`SELECT r.id FROM budget_reservations r WHERE r.status = 'settled' AND r.settled_nano_usd > r.reserved_nano_usd`).all() as { id: number }[];
    const recorded = store.database.prepare(`SELECT reservation_id AS id FROM budget_overruns ORDER BY reservation_id`).all() as { id: number }[];
    assert.deepEqual(recorded.map((row) => row.id), overRows.map((row) => row.id).sort((a, b) => a - b), `seed ${seed}: every settlement above its reservation is a recorded overrun`);
    assert.equal(events.length, recorded.length, `seed ${seed}: every overrun was reported`);
    await store.close();
  });
});
