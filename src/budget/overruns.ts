/**
 * Overruns: a settlement above its reservation. A reservation is the call's worst case (every
 * output token `max_tokens` allows, the input bound; see README "Budgets"), so an overrun means a
 * provider reported usage beyond what the request allowed — reasoning tokens past `max_tokens`, a
 * prompt counted far above any tokenizer's bound. The ledger records the real cost anyway (it must
 * not lie) and the excess as an overrun, which the run reports (`budget-overrun`, exit 3),
 * `orch budget` and `orch report` show.
 */
import type { OverrunRecord } from "../contracts/ledger-store.js";
import { nanoToUsd } from "./money.js";

export interface BudgetOverrun {
  runId: string;
  pipeline: string;
  step: string;
  /** The item of a for_each step. */
  item?: number;
  attempt: number;
  provider: string;
  model: string;
  /** Synthetic money (mock, replay): counted in the run only. */
  synthetic: boolean;
  reservedUsd: number;
  settledUsd: number;
  /** settled − reserved: how far the call went past what its request allowed. */
  overrunUsd: number;
  at: string;
}

export function overrunOf(record: OverrunRecord): BudgetOverrun {
  return {
    runId: record.runId,
    pipeline: record.pipelineName,
    step: record.step,
    ...(record.item === undefined ? {} : { item: record.item }),
    attempt: record.attempt,
    provider: record.provider,
    model: record.model,
    synthetic: record.synthetic,
    reservedUsd: nanoToUsd(record.reservedNanoUsd),
    settledUsd: nanoToUsd(record.settledNanoUsd),
    overrunUsd: nanoToUsd(record.overrunNanoUsd),
    at: record.createdAt,
  };
}
