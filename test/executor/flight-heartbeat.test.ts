/**
 * The holder's heartbeat (executor/flight-across-processes.ts): a claimed call renews its claim
 * every third of its lease to "now + lease" until it lands, and stops at once when it lands or when
 * a renewal says the claim is no longer its own. Timers are node:test's mock timers and the store a
 * recording fake, so "no renewal after the landing" is read after the clock moved on three leases,
 * not after a pause. Lease 300 ms (ORCH_IN_FLIGHT_LEASE_MS): renewals at 100, 200, 300 ms….
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import type { ClaimOutcome, InFlightClaim, InFlightStore } from "../../src/contracts/in-flight-store.js";
import type { Candidate } from "../../src/policy/decision.js";
import { claimOrAwait } from "../../src/executor/flight-across-processes.js";
import type { RunContext } from "../../src/executor/run-context.js";
import type { UnitRun } from "../../src/executor/work-unit.js";

const t0 = Date.parse("2026-11-22T14:30:00.000Z");
const iso = (ms: number) => new Date(t0 + ms).toISOString();

interface Recorder {
  store: InFlightStore;
  renewals: { holder: string; expiresAt: string }[];
  releases: string[];
  /** What the next renewals answer: true (still held), false (taken over), or a promise the test settles. */
  renewAnswer: () => Promise<boolean>;
}

function recordingStore(): Recorder {
  const recorder: Recorder = {
    renewals: [],
    releases: [],
    renewAnswer: async () => true,
    store: {
      claimInFlight: async (_claim: InFlightClaim): Promise<ClaimOutcome> => ({ kind: "claimed" }),
      renewInFlight: (_key, holder, expiresAt) => {
        recorder.renewals.push({ holder, expiresAt });
        return recorder.renewAnswer();
      },
      releaseInFlight: async (_key, holder) => {
        recorder.releases.push(holder);
        return true;
      },
      awaitInFlight: async () => ({ kind: "free" }),
    },
  };
  return recorder;
}

describe("the holder's heartbeat", () => {
  let elapsedMs = 0;
  let recorder: Recorder;
  let context: RunContext;
  const run = { step: { name: "ask", cache: undefined }, signal: new AbortController().signal } as unknown as UnitRun;
  const candidate = { provider: "api", model: "mini" } as unknown as Candidate;
  /** Lets what the test settled land, moves the mocked clock and timers on, then lets the renewals they started settle. */
  const advance = async (ms: number) => {
    await new Promise((resolve) => setImmediate(resolve));
    elapsedMs += ms;
    mock.timers.tick(ms);
    await new Promise((resolve) => setImmediate(resolve));
  };
  const claim = () => claimOrAwait(context, run, candidate, { cacheKey: "key-a", unit: { step: "ask" } });

  beforeEach(() => {
    mock.timers.enable({ apis: ["setInterval"] });
    elapsedMs = 0;
    recorder = recordingStore();
    context = {
      answers: { shareable: () => true, wasUsed: () => false },
      store: { inFlight: recorder.store },
      runId: "run-1",
      environment: { ORCH_IN_FLIGHT_LEASE_MS: "300" },
      policy: { providers: {} },
      now: () => new Date(t0 + elapsedMs),
      emit: () => undefined,
    } as unknown as RunContext;
  });
  afterEach(() => {
    mock.timers.reset();
  });

  it("renews every third of the lease to now + lease while the call lasts, and stops when it lands", async () => {
    const flight = await claim();
    assert.equal(flight.kind, "calling");
    await advance(99);
    assert.equal(recorder.renewals.length, 0, "not before a third of the lease");
    await advance(1);
    await advance(100);
    await advance(100);
    assert.deepEqual(recorder.renewals.map((renewal) => renewal.expiresAt), [iso(400), iso(500), iso(600)]);
    const holder = recorder.renewals[0]!.holder;
    assert.ok(recorder.renewals.every((renewal) => renewal.holder === holder));

    if (flight.kind === "calling") await flight.land(undefined);
    assert.deepEqual(recorder.releases, [holder]);
    await advance(900);
    assert.equal(recorder.renewals.length, 3, "three leases after the landing, still three renewals");
  });

  it("stops renewing once a renewal says the claim was taken over; its landing still releases (the store guards the new claim)", async () => {
    const flight = await claim();
    recorder.renewAnswer = async () => false;
    await advance(100);
    assert.equal(recorder.renewals.length, 1);
    await advance(900);
    assert.equal(recorder.renewals.length, 1, "no renewal after the one answered false");
    if (flight.kind === "calling") await flight.land(7);
    assert.equal(recorder.releases.length, 1);
  });

  it("skips beats while a renewal is pending and tries again after one failed", async () => {
    const flight = await claim();
    let settle!: (stillHeld: boolean) => void;
    let fail!: (error: Error) => void;
    recorder.renewAnswer = () => new Promise<boolean>((resolve, reject) => ((settle = resolve), (fail = reject)));
    await advance(100);
    await advance(100);
    await advance(100);
    assert.equal(recorder.renewals.length, 1, "one renewal at a time: a slow store is not piled on");
    fail(new Error("connection reset"));
    await advance(100);
    assert.equal(recorder.renewals.length, 2, "the failed renewal is tried again at the next beat");
    settle(true);
    await advance(100);
    assert.equal(recorder.renewals.length, 3);
    if (flight.kind === "calling") await flight.land(undefined);
  });
});
