/**
 * `npm run bench:cache`: what provider prompt caching and batch mode save, in money, on a 50-item
 * `for_each` whose items share a 20,000-token context, at the price table's real prices (no
 * `prices:` in the policy), read from orch's own ledger (support/savings.ts says how each way is
 * run). Each vendor runs four ways (nothing, caching, batch, both). `npm run bench -- --only=savings`
 * puts the same figures in the bench table.
 * Run: npm run bench:cache   (the README quotes its output)
 */
import { startFakeLlmServer } from "../../src/fake-server/index.js";
import { savingsBench } from "./rows/savings.js";

const server = await startFakeLlmServer();
try {
  const measured = await savingsBench(server, ["anthropic", "openai", "gemini"]);
  console.log(JSON.stringify(measured, null, 2));
} finally {
  await server.close();
}
