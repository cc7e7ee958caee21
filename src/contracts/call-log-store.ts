/**
 * The call log's store contract: what each call sent and received (written with the call, see
 * `RunStore.recordPaidCall`), and the read queries behind `orch runs`, `orch show` and `orch diff`.
 * Types only.
 */
import type { CallStatus, RunRow, RunStatus, StepRow } from "./run-store.js";

/** One row of `llm_call_texts`. Text is absent when only hashes are kept (`kept: "hashes"`). */
export interface CallText {
  kept: "full" | "hashes";
  /** The rendered messages as JSON (`[{ role, content }]`), secrets scrubbed. */
  messagesJson?: string;
  /** The answer as orch received it, secrets scrubbed. */
  answer?: string;
  /** Only when the answer itself is not kept. */
  answerSha256?: string;
}

/** A run as `orch runs` lists it: its row plus what its calls cost. */
export interface RunListRow extends RunRow {
  /** Whole nano-dollars: each call's REAL cost is a whole number of them, summed exactly. */
  cost_nano_usd: number;
  calls: number;
  synthetic: number;
}

export interface RunFilter {
  /** A pipeline's name, or its file (an absolute path). */
  pipeline?: { name: string; file: string };
  status?: RunStatus;
  /** Runs started at or after this instant. */
  sinceIso?: string;
  limit: number;
}

/** A call with its texts, as `orch show` and `orch diff` read it. */
export interface LoggedCall {
  id: number;
  step: string;
  item_index: number | null;
  attempt: number;
  provider: string;
  provider_type: string;
  model: string;
  status: CallStatus;
  prompt_sha256: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number | null;
  error_kind: string | null;
  error_message: string | null;
  rejection_reason: string | null;
  checker_output: string | null;
  synthetic: number;
  started_at: string;
  /** Null for calls recorded before the call log existed (migration 0008). */
  kept: "full" | "hashes" | null;
  messages_json: string | null;
  answer: string | null;
  answer_sha256: string | null;
}

export interface CallLogStore {
  /** Newest first. */
  listRuns(filter: RunFilter): Promise<RunListRow[]>;
  /** The newest run, or undefined in an empty store. */
  latestRun(): Promise<RunRow | undefined>;
  /** The run before the newest one (`latest~1`, for `orch diff` with one argument). */
  runBefore(run: RunRow): Promise<RunRow | undefined>;
  /** Up to `limit` runs whose id starts with `prefix` (a LIKE pattern's wildcards in it are matched literally). */
  runsByPrefix(prefix: string, limit?: number): Promise<RunRow[]>;
  steps(runId: string): Promise<StepRow[]>;
  /**
   * The route a step's result recorded (`{ matched, candidates, notes, chosen }` as JSON), read
   * alone so a large result (prompts, output) is not parsed for it; undefined without one.
   */
  stepRoute(runId: string, step: string): Promise<string | undefined>;
  /** Every call of a run, with its texts, in the order they were made. */
  calls(runId: string): Promise<LoggedCall[]>;
}
