/**
 * What cost-aware routing saves on `pipelines/codegen.yaml`: the same run (fake server, real SDK,
 * recorded calls) routed as a cascade (gpt-4o-mini first, escalating to gpt-4o when a gate
 * rejects an answer) and with every step sent to the premium model. Costs are summed from the
 * `llm_calls` rows each run recorded, at the policy's prices (USD per million tokens).
 * Run: node --import tsx test/bench/cascade-vs-premium.ts
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeLlmServer } from "../../src/fake-server/index.js";
import { prices, runCodegen, type CodegenRun } from "../pipeline/support/codegen-scenario.js";

export interface CascadeFigures {
  scenario: string;
  cascadeUsd: number;
  premiumUsd: number;
  /** Cascade cost as a share of the premium cost. */
  ratio: number;
  cascadeCalls: string[];
}

export async function measureCascade(): Promise<CascadeFigures[]> {
  const server = await startFakeLlmServer();
  try {
    const figures: CascadeFigures[] = [];
    for (const [scenario, testsFailOnCheap] of [
      ["module rejected on the cheap model", false],
      ["module and tests rejected on the cheap model", true],
    ] as const) {
      const cascade = await runCodegen(server, "cascade", { testsFailOnCheap });
      const premium = await runCodegen(server, "premium");
      for (const run of [cascade, premium]) if (run.result.code !== 0) throw new Error(`run failed: ${run.result.stderr}${run.result.stdout}`);
      figures.push({
        scenario,
        cascadeUsd: cascade.costUsd,
        premiumUsd: premium.costUsd,
        ratio: cascade.costUsd / premium.costUsd,
        cascadeCalls: describeCalls(cascade),
      });
    }
    return figures;
  } finally {
    await server.close();
  }
}

function describeCalls(run: CodegenRun): string[] {
  return run.calls.map((call) => `${call.step}#${call.attempt} ${call.model} ${call.input_tokens}→${call.output_tokens} $${call.cost_usd.toFixed(6)}${call.rejection_reason ? " rejected" : ""}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`prices per million tokens: gpt-4o-mini $${prices.mini.input} in / $${prices.mini.output} out, gpt-4o $${prices.full.input} in / $${prices.full.output} out`);
  for (const figure of await measureCascade()) {
    console.log(`\n${figure.scenario}`);
    console.log(`  cascade  $${figure.cascadeUsd.toFixed(6)}  (${(figure.ratio * 100).toFixed(1)}% of premium)`);
    console.log(`  premium  $${figure.premiumUsd.toFixed(6)}`);
    for (const call of figure.cascadeCalls) console.log(`    ${call}`);
  }
}
