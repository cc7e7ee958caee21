/**
 * The savings row of `npm run bench` (and `npm run bench:cache`): a 50-item `for_each` sharing a
 * 20,000-token context, run nothing / caching / batch / both ways per vendor, each cost what orch's
 * ledger settled (support/savings.ts), and each way's ratio to "nothing".
 */
import type { FakeLlmServer } from "../../../src/fake-server/index.js";
import { measureSavings, savings, vendors, type LedgerFigures, type Saving, type Vendor } from "../support/savings.js";

export const savingsCase = { items: 50, contextWords: 20_000, answerWords: 120 };

export interface VendorSavings {
  vendor: Vendor;
  model: string;
  ways: Partial<Record<Saving, LedgerFigures & { usd: number; ratio: number }>>;
}

export async function savingsBench(server: FakeLlmServer, which: readonly Vendor[], log: (line: string) => void = () => undefined): Promise<VendorSavings[]> {
  const results: VendorSavings[] = [];
  for (const vendor of which) {
    const ways: VendorSavings["ways"] = {};
    let nothingNano = 0;
    for (const saving of savings) {
      log(`savings: ${vendor}, ${saving}…`);
      const figures = await measureSavings(server, { vendor, saving, ...savingsCase });
      if (saving === "nothing") nothingNano = figures.settledNano;
      ways[saving] = { ...figures, usd: figures.settledNano / 1e9, ratio: Math.round((figures.settledNano / nothingNano) * 1000) / 1000 };
    }
    results.push({ vendor, model: vendors[vendor].model, ways });
  }
  return results;
}
