/**
 * Rows for the contract suite, written through the contract itself. Every figure a test expects is
 * worked out by hand from the values here, never read back from a store first.
 */
import type { CallText } from "../../../../src/contracts/call-log-store.js";
import type { OrchStore } from "../../../../src/contracts/orch-store.js";
import type { ReservationRequest } from "../../../../src/contracts/ledger-store.js";
import type { CallRecord, NewRun, PaidCallWrite } from "../../../../src/contracts/run-store.js";

export const t0 = "2026-03-10T12:00:00.000Z";

/** `2026-03-10T12:MM:SS.000Z`: minutes and seconds after t0. */
export function at(minutes: number, seconds = 0): string {
  return new Date(Date.parse(t0) + minutes * 60_000 + seconds * 1000).toISOString();
}

export function newRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return { id, pipelineName: "notes", pipelinePath: "/work/notes.yaml", inputs: {}, startedAt: t0, processId: 42, ...overrides };
}

/** Creates the run with its steps (default: one step, `draft`) and answers each step's row id. */
export async function startRun(store: OrchStore, id: string, overrides: Partial<NewRun> = {}, steps: readonly string[] = ["draft"]): Promise<Map<string, number>> {
  return store.runs.createRun(newRun(id, overrides), steps);
}

export function callRecord(runId: string, stepExecutionId: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    runId,
    stepExecutionId,
    step: "draft",
    attempt: 1,
    pipelineName: "notes",
    task: "writing",
    provider: "openai",
    providerType: "openai",
    model: "mini",
    promptSha256: "prompt-sha",
    status: "succeeded",
    inputTokens: 100,
    outputTokens: 20,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.25,
    synthetic: false,
    startedAt: t0,
    finishedAt: t0,
    cacheKey: "key-a",
    ...overrides,
  };
}

export const fullText = (answer: string): CallText => ({ kept: "full", messagesJson: `[{"role":"user","content":"write"}]`, answer });

/** A paid call with its texts and no reservation to close; answers the call's id (and its entry's, given `answer`). */
export async function recordCall(
  store: OrchStore,
  call: CallRecord,
  options: { answer?: string; shareable?: boolean; close?: PaidCallWrite["close"] } = {},
): Promise<{ callId: number; entryId?: number }> {
  const written = await store.runs.recordPaidCall({
    stepExecutionId: call.stepExecutionId,
    ...(options.close ? { close: options.close } : {}),
    call,
    text: fullText(options.answer ?? ""),
    ...(options.answer === undefined
      ? {}
      : {
          answer: {
            cacheKey: call.cacheKey ?? "key-a",
            runId: call.runId,
            step: call.step,
            ...(call.itemIndex === undefined ? {} : { itemIndex: call.itemIndex }),
            provider: call.provider,
            model: call.model,
            answer: options.answer,
            inputTokens: call.inputTokens,
            outputTokens: call.outputTokens,
            costUsd: call.costUsd,
            shareable: options.shareable ?? true,
            createdAt: call.finishedAt,
          },
        }),
  });
  return { callId: written.callId, ...(written.entryId === undefined ? {} : { entryId: written.entryId }) };
}

export function reservation(amountNanoUsd: number, overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  return {
    runId: "run-1",
    day: "2026-03-10",
    month: "2026-03",
    pipelineName: "notes",
    amountNanoUsd,
    limits: [],
    processId: 42,
    hostName: "host-a",
    createdAt: t0,
    expiresAt: at(30),
    ...overrides,
  };
}

/** Reserves and answers the reservation's id (the test fails when refused). */
export async function reserve(store: OrchStore, amountNanoUsd: number, overrides: Partial<ReservationRequest> = {}): Promise<number> {
  const outcome = await store.ledger.reserve(reservation(amountNanoUsd, overrides));
  if (!outcome.ok) throw new Error(`reservation of ${amountNanoUsd} refused`);
  return outcome.reservationId;
}
