/** What past calls say about models and providers, as a store contract: the inputs of learning routing, cool-downs and daily caps. Types only. */

export interface ProviderOutcomeRow {
  provider: string;
  status: "succeeded" | "failed";
  errorKind: string | null;
  finishedAt: string;
}

/** One answered call whose verdict is known, with the targets rejected before it on the same request. */
export interface SettledCallRow {
  id: number;
  /** The request it answered: run, step and item (`run|step|item`). */
  unit: string;
  step: string;
  inputTokens: number;
  outputTokens: number;
  /** `provider:model`. */
  target: string;
  task: string;
  language: string | null;
  accepted: 0 | 1;
  costUsd: number;
  /** Space-separated targets whose answers were rejected earlier in the same unit (step, item), or null. */
  failedBefore: string | null;
  verdictAt: string | null;
}

export interface HistoryStore {
  /** Settled calls started since `since` (ISO): what a run learns from when it starts. */
  settledCalls(since: string): Promise<SettledCallRow[]>;
  /** Calls of other runs whose verdict became known at or after `verdictAt` (ISO): learning across processes while a run goes on. */
  settledCallsSince(verdictAt: string, exceptRunId: string): Promise<SettledCallRow[]>;
  /** The latest calls of each provider, newest first, to tell whether it keeps failing. */
  recentOutcomes(since: string, perProvider: number): Promise<ProviderOutcomeRow[]>;
  /** Calls a provider answered or attempted since `since` (ISO), for subscription daily caps. */
  callsSince(provider: string, since: string): Promise<number>;
  /** Money spent on calls since `since` (ISO): the "cost today" of watch mode's summaries. */
  costSince(since: string): Promise<number>;
}
