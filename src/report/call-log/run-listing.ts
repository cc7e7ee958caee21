/** A run as `orch runs --json`, `orch serve` and its API list it: a row of the call log, in dollars. */
import { nanoToUsd } from "../../money/nano.js";
import type { RunListRow } from "../../contracts/call-log-store.js";

/** A run as `orch runs --json` prints it. */
export interface RunListing {
  id: string;
  pipeline: string;
  pipelinePath: string;
  status: string;
  costUsd: number;
  /** True when the money is synthetic (mock, replay). */
  synthetic: boolean;
  calls: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
}

export function runListing(row: RunListRow): RunListing {
  return {
    id: row.id,
    pipeline: row.pipeline_name,
    pipelinePath: row.pipeline_path,
    status: row.status,
    costUsd: nanoToUsd(row.cost_nano_usd),
    synthetic: row.synthetic === 1,
    calls: row.calls,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.finished_at === null ? null : Date.parse(row.finished_at) - Date.parse(row.started_at),
    exitCode: row.exit_code,
  };
}
