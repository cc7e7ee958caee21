/**
 * The savings bench's arithmetic on a case small enough to check by hand: three items sharing a
 * 1,200-word context, run four ways (nothing, provider caching, batch, both), each total read from
 * orch's ledger and compared with nano-dollars computed here from the token counts and the prices
 * written in the policy. Fake tokens are words:
 *   system "You review one file against the shared notes." 8; context block "--- shared.txt ---" 3
 *   + 1,200 words; item prompt "Review item f0 against the shared notes." 7; answer 4 words.
 * Prices are USD per million tokens, so tokens × price × 1,000 is nano-dollars.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { measureSavings, type Saving, type Vendor } from "./support/savings.js";

const small = { items: 3, contextWords: 1_200, answerWords: 4 };

const expectedNano: Record<Vendor, { prices: string; totals: Record<Saving, number> }> = {
  anthropic: {
    prices: "{ input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 }",
    totals: {
      // Each call: 1,218 prompt tokens × $3 + 4 × $15 = 3,654,000 + 60,000 nano; three calls.
      nothing: 3 * 3_714_000,
      // The marked prefix (system 8 + context 1,203 = 1,211 tokens) is written once at $3.75, then
      // read twice at $0.30; the item's 7 tokens at $3 and the answer at $15 each time:
      // 1,211 × 3.75 = 4,541,250; 1,211 × 0.3 = 363,300; 7 × 3 = 21,000; 4 × 15 = 60,000.
      caching: 4_541_250 + 21_000 + 60_000 + 2 * (363_300 + 21_000 + 60_000),
      // Every token at half price.
      batch: (3 * 3_714_000) / 2,
      // The batch's calls meet the cache as the synchronous ones do, at half of each price.
      both: (4_541_250 + 21_000 + 60_000 + 2 * (363_300 + 21_000 + 60_000)) / 2,
    },
  },
  openai: {
    prices: "{ input: 2, output: 8, cached_input: 0.5 }",
    totals: {
      // Without caching the context follows the item: 8 + 7 + 1,200 = 1,215 tokens × $2 + 4 × $8 = 2,430,000 + 32,000.
      nothing: 3 * 2_462_000,
      // Context first, 1,218 tokens. The first call pays all at $2; each later one shares 1,211 + 2
      // ("Review item") = 1,213 tokens with an earlier prompt, read in 128-token steps past 1,024:
      // 1,152 cached × $0.50 + 66 × $2 + 4 × $8 = 576,000 + 132,000 + 32,000.
      caching: 2_436_000 + 32_000 + 2 * 740_000,
      batch: (3 * 2_462_000) / 2,
      both: (2_436_000 + 32_000 + 2 * 740_000) / 2,
    },
  },
  gemini: {
    prices: "{ input: 0.3, output: 2.5, cached_input: 0.03 }",
    totals: {
      // As OpenAI's, the context after the item: 1,215 tokens × $0.30 + 4 × $2.50 = 364,500 + 10,000.
      nothing: 3 * 374_500,
      // Context first, 1,218 tokens: the first call pays all at $0.30 (365,400 + 10,000). Implicit
      // caching reads the whole common prefix, token by token past 1,024: each later call shares
      // 1,213 tokens with the first, read at $0.03, and pays 5 at $0.30: 36,390 + 1,500 + 10,000.
      caching: 375_400 + 2 * 47_890,
      batch: (3 * 374_500) / 2,
      // Batched calls meet the implicit cache as the synchronous ones do, at half of each price.
      both: (375_400 + 2 * 47_890) / 2,
    },
  },
};

describe("what nothing, provider caching, batch and both cost, from orch's ledger", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  for (const vendor of Object.keys(expectedNano) as Vendor[]) {
    it(`${vendor}: the four totals are the hand-computed nano-dollars`, async () => {
      const { prices, totals } = expectedNano[vendor];
      const measured: Record<string, number> = {};
      for (const saving of Object.keys(totals) as Saving[]) {
        const figures = await measureSavings(server, { vendor, saving, ...small, prices });
        measured[saving] = figures.settledNano;
        assert.equal(figures.calls, small.items, `${saving}: one call per item`);
        assert.equal(figures.batches, saving === "batch" || saving === "both" ? 1 : 0, `${saving}: batches submitted`);
        // The call rows carry the same money as the settled reservations.
        assert.equal(Math.round(figures.callsUsd * 1e9), figures.settledNano, `${saving}: call rows and ledger agree`);
      }
      assert.deepEqual(measured, totals);
    });
  }
});
