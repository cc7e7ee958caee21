/**
 * A run named on the command line: `latest`, a whole id, or the start of one that only one run
 * has. Anything else is a usage error (exit 2) that says what exists.
 */
import { UsageError } from "../../errors/orch-error.js";
import type { CallLogStore } from "../../contracts/call-log-store.js";
import type { RunRow } from "../../contracts/run-store.js";

export const latestRun = "latest";

export async function findRun(log: Pick<CallLogStore, "latestRun" | "runsByPrefix">, reference: string, database: string): Promise<RunRow> {
  if (reference === latestRun) {
    const run = await log.latestRun();
    if (!run) throw new UsageError({ message: `no run is recorded in ${database}`, hint: "run a pipeline with `orch run`, or pass --db to the database it used" });
    return run;
  }
  const matches = await log.runsByPrefix(reference, 6);
  const exact = matches.find((run) => run.id === reference);
  if (exact) return exact;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new UsageError({ message: `no run "${reference}" in ${database}`, hint: "`orch runs` lists the recorded runs; `latest` names the newest" });
  }
  const shown = matches.slice(0, 5).map((run) => `${run.id} (${run.pipeline_name}, ${run.started_at})`);
  throw new UsageError({
    message: `"${reference}" is the start of ${matches.length > 5 ? "more than 5" : matches.length} runs: ${shown.join(", ")}`,
    hint: "give more of the run id",
  });
}
