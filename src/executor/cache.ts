/**
 * The answer cache of one run. A call is addressed by what answers it and what it asks: the
 * provider's type, endpoint and API version (see providers/answerer.ts), its name, the model,
 * the rendered messages, the parameters (max tokens, temperature, json mode) and the output
 * schema. Before paying for a call to one candidate the executor asks, for that candidate's key
 * only (a cached answer is used only where its candidate would be chosen now, never to jump the
 * route's order):
 *   1. this run's own answers for the same step and item (what a resumed run already paid for, or
 *      was served by the cache or single flight), whatever the cache settings: resuming must never
 *      pay twice;
 *   2. when the step caches and `--no-cache` is off: an accepted answer of any run, younger than the TTL;
 *   3. when the step caches: an identical call in flight in this process (single flight);
 *   4. when the step caches: an identical call in flight in another process sharing the store
 *      (flight-across-processes.ts), asked by an attempt that step 3 left without an answer (so,
 *      as a rule, one attempt per key per process).
 * An entry serves one step/item at most once per run, so a retry of a rejected answer really calls.
 */
import { createHash } from "node:crypto";
import type { CacheSetting } from "../pipeline/model.js";
import type { ChatMessage, TokenUsage } from "../providers/provider.js";
import type { AnswerCacheStore, CachedAnswerRow } from "../contracts/answer-cache-store.js";

export interface CacheKeyParts {
  provider: string;
  providerType: string;
  /** What actually answers: type, endpoint, API version (`ProviderLookup.answererOf`). */
  answerer: string;
  model: string;
  messages: readonly ChatMessage[];
  maxTokens: number;
  /** The context window a server is told to allocate (Ollama's `num_ctx`): a smaller one cuts the prompt. */
  contextWindow?: number;
  temperature?: number;
  json: boolean;
  schemaDigest?: string;
}

/** Bump when the meaning of a key changes, so old entries stop matching. */
const keyVersion = 2;

export function cacheKeyOf(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    keyVersion,
    parts.providerType,
    parts.answerer,
    parts.provider,
    parts.model,
    parts.messages.map((message) => [message.role, message.content]),
    parts.maxTokens,
    parts.temperature ?? null,
    parts.json,
    parts.schemaDigest ?? null,
    parts.contextWindow ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** Whose answer a unit of work is: a step, or one item of a for_each step. */
export interface UnitRef {
  step: string;
  item?: number;
}

export interface ReusedAnswer {
  entryId: number;
  text: string;
  provider: string;
  model: string;
  /** The tokens of the call that paid for it: what reusing it saved. */
  usage: TokenUsage;
  originalCostUsd: number;
  /** The run whose call paid for it. */
  paidByRun: string;
  source: "run" | "cache" | "in-flight";
}

export interface AnswerCache {
  /** An answer already paid for (steps 1 and 2 above), not yet served to this unit. */
  find(key: string, unit: UnitRef, setting: CacheSetting): Promise<ReusedAnswer | undefined>;
  /** Step 3: the answer of an identical call in flight, when there is one and it succeeds. */
  join(key: string, setting: CacheSetting): Promise<ReusedAnswer | undefined> | undefined;
  /** Marks this call as the one in flight for the key; `done` hands its answer (or none) to the waiting ones. */
  lead(key: string, setting: CacheSetting): (answer: ReusedAnswer | undefined) => void;
  /** The entry has been served to this unit: it will not be served to it again. */
  markUsed(unit: UnitRef, entryId: number): void;
  /** Whether the entry has been served to this unit already (an answer from another process is checked here). */
  wasUsed(unit: UnitRef, entryId: number): boolean;
  /** Whether answers written now may be reused by later runs. */
  shareable(setting: CacheSetting): boolean;
}

export interface AnswerCacheOptions {
  store: Pick<AnswerCacheStore, "findInRun" | "findReusable">;
  runId: string;
  /** False with `--no-cache`: nothing is reused across runs and nothing offered to them. */
  reuse: boolean;
  now: () => Date;
}

export function createAnswerCache(options: AnswerCacheOptions): AnswerCache {
  const used = new Map<string, number[]>();
  const inFlight = new Map<string, Promise<ReusedAnswer | undefined>>();
  const unitKey = (unit: UnitRef) => `${unit.step}#${unit.item ?? ""}`;
  const reuses = (setting: CacheSetting) => options.reuse && setting.enabled;

  return {
    async find(key, unit, setting) {
      const excluded = used.get(unitKey(unit)) ?? [];
      const own = await options.store.findInRun(key, options.runId, unit.step, unit.item, excluded);
      if (own) return reusedFrom(own, "run");
      if (!reuses(setting)) return undefined;
      const since = new Date(options.now().getTime() - setting.ttlMs).toISOString();
      const shared = await options.store.findReusable(key, since, excluded);
      return shared ? reusedFrom(shared, "cache") : undefined;
    },
    join(key, setting) {
      if (!reuses(setting)) return undefined;
      const pending = inFlight.get(key);
      return pending?.then((answer) => (answer ? { ...answer, source: "in-flight" as const } : undefined));
    },
    lead(key, setting) {
      if (!reuses(setting) || inFlight.has(key)) return () => undefined;
      let settle!: (answer: ReusedAnswer | undefined) => void;
      inFlight.set(key, new Promise((resolve) => (settle = resolve)));
      return (answer) => {
        inFlight.delete(key);
        settle(answer);
      };
    },
    markUsed(unit, entryId) {
      const key = unitKey(unit);
      used.set(key, [...(used.get(key) ?? []), entryId]);
    },
    wasUsed(unit, entryId) {
      return used.get(unitKey(unit))?.includes(entryId) ?? false;
    },
    shareable: reuses,
  };
}

export function reusedFrom(row: CachedAnswerRow, source: ReusedAnswer["source"]): ReusedAnswer {
  return {
    entryId: row.id,
    text: row.answer,
    provider: row.provider,
    model: row.model,
    usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens },
    originalCostUsd: row.costUsd,
    paidByRun: row.runId,
    source,
  };
}
