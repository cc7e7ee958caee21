/** Shared test fixtures: contexts without real keys or `.env`, a standard request, a fake clock. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ProviderContext, ProviderWaitEvent, Sleep } from "../../src/providers/context.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import type { ProviderRequest } from "../../src/providers/provider.js";

/** An empty directory, so no developer's `.env` leaks into a test. */
export function emptyDirectory(): string {
  return mkdtempSync(path.join(tmpdir(), "orch-providers-"));
}

export function testContext(overrides: Partial<ProviderContext> = {}): ProviderContext {
  const directory = emptyDirectory();
  return { env: {}, workingDirectory: directory, policyDirectory: directory, ...overrides };
}

/** "You are terse." (3 fake tokens) + "Say hello to the tests." (5) = 8 prompt tokens on the fake server. */
export const standardPromptTokens = 8;

export function chatRequest(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    model: "test-model",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Say hello to the tests." },
    ],
    maxTokens: 64,
    origin: { runId: "run-1", step: "greet" },
    ...overrides,
  };
}

export interface FakeClock {
  now: () => number;
  sleep: Sleep;
  /** Every requested sleep, in order. */
  sleeps: number[];
}

/**
 * Virtual time that only moves when someone sleeps: waits are instant and exactly measurable.
 * A sleep wakes once everything runnable has run (a macrotask later), and time jumps to the
 * earliest wake-up, so concurrent sleepers see the same timeline real timers would give.
 */
export function fakeClock(start = 1_000_000): FakeClock {
  let current = start;
  const sleeps: number[] = [];
  const sleepers: Array<{ wakeAt: number; wake: () => void }> = [];
  let tickScheduled = false;

  function scheduleTick(): void {
    if (tickScheduled || sleepers.length === 0) return;
    tickScheduled = true;
    setImmediate(() => {
      tickScheduled = false;
      sleepers.sort((a, b) => a.wakeAt - b.wakeAt);
      const earliest = sleepers[0];
      if (earliest === undefined) return;
      current = Math.max(current, earliest.wakeAt);
      const due = sleepers.filter((sleeper) => sleeper.wakeAt <= current);
      sleepers.splice(0, due.length);
      for (const sleeper of due) sleeper.wake();
      scheduleTick();
    });
  }

  return {
    now: () => current,
    sleeps,
    sleep: (milliseconds, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        sleeps.push(milliseconds);
        const sleeper = {
          wakeAt: current + milliseconds,
          wake: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const index = sleepers.indexOf(sleeper);
          if (index >= 0) sleepers.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        sleepers.push(sleeper);
        scheduleTick();
      }),
  };
}

export function collectWaits(): { events: ProviderWaitEvent[]; onWait: (event: ProviderWaitEvent) => void } {
  const events: ProviderWaitEvent[] = [];
  return { events, onWait: (event) => events.push(event) };
}

/** A signal that never aborts. */
export const never: AbortSignal = new AbortController().signal;

/** The ProviderError a call failed with (fails the test when it succeeded or threw something else). */
export async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(ProviderError.isInstance(error), `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}
