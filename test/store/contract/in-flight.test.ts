/**
 * Single flight's contract (`InFlightStore`) against every store: one claim holds a key until it
 * is released or expires (its holder may renew it: push the expiry on); a waiter is served the holder's answer, or told to claim again when
 * none will come (a failed call, an expired or taken-over claim, an entry deleted since); cache
 * housekeeping never frees a key still in flight. What only one store does (PostgreSQL's
 * LISTEN/NOTIFY across machines, SQLite's processes sharing a file) is tested beside that store.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { InFlightClaim } from "../../../src/contracts/in-flight-store.js";
import { describeEachStore } from "./stores.js";
import { at, callRecord, recordCall, startRun } from "./support/fixtures.js";

const claim = (holder: string, claimedAt = at(0), expiresAt = at(5), cacheKey = "key-a"): InFlightClaim => ({ cacheKey, holder, claimedAt, expiresAt });
const atMinuteOne = () => new Date(at(1));

describeEachStore("single flight contract", (current) => {
  it("gives a key to one of several claimers at once and tells the others who holds it until when", async () => {
    const store = current();
    const outcomes = await Promise.all(["a", "b", "c", "d"].map((holder) => store.inFlight.claimInFlight(claim(holder))));
    const winners = outcomes.flatMap((outcome, index) => (outcome.kind === "claimed" ? [["a", "b", "c", "d"][index]!] : []));
    assert.equal(winners.length, 1);
    for (const outcome of outcomes) if (outcome.kind === "held") assert.deepEqual(outcome, { kind: "held", holder: winners[0], expiresAt: at(5) });
    assert.deepEqual(await store.inFlight.claimInFlight(claim(winners[0]!, at(1), at(6))), { kind: "claimed" }, "the holder may claim again");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("e", at(2))), { kind: "held", holder: winners[0], expiresAt: at(6) }, "its new expiry is told");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("e", at(2), at(5), "key-b")), { kind: "claimed" }, "another key is another claim");
  });

  it("serves a waiter the holder's answer once it is released, and the key can be claimed again", async () => {
    const store = current();
    assert.deepEqual(await store.inFlight.claimInFlight(claim("here:1")), { kind: "claimed" });
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:1", 0, atMinuteOne), { kind: "waiting" }, "in flight before the release");
    const started = Date.now();
    const waiting = store.inFlight.awaitInFlight("key-a", "here:1", 20_000, atMinuteOne);
    const step = (await startRun(store, "run-1")).get("draft")!;
    await recordCall(store, callRecord("run-1", step, { finishedAt: at(2) }), { answer: "paid once" });
    assert.equal(await store.inFlight.releaseInFlight("key-a", "here:1", 1, at(2)), true);
    const paidOnce = {
      kind: "answered",
      answer: { id: 1, cacheKey: "key-a", runId: "run-1", step: "draft", itemIndex: null, provider: "openai", model: "mini", answer: "paid once", inputTokens: 100, outputTokens: 20, costUsd: 0.25, state: "pending", createdAt: at(2) },
    };
    assert.deepEqual(await waiting, paidOnce);
    assert.ok(Date.now() - started < 10_000, "ended by the release, not by the 20 s timeout");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:1", 20_000, atMinuteOne), paidOnce, "a waiter arriving after the release is served at once");
    assert.equal(await store.inFlight.releaseInFlight("key-a", "here:1", 1, at(3)), false, "a claim is released once");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:2", at(3))), { kind: "claimed" }, "a released key can be claimed");
  });

  it("frees the key when the holder's call fails, when its claim expires, or when another holder took it over", async () => {
    const store = current();
    await store.inFlight.claimInFlight(claim("here:1"));
    const failed = store.inFlight.awaitInFlight("key-a", "here:1", 20_000, atMinuteOne);
    assert.equal(await store.inFlight.releaseInFlight("key-a", "there:1", undefined, at(1)), false, "only the holder releases");
    assert.equal(await store.inFlight.releaseInFlight("key-a", "here:1", undefined, at(1)), true);
    assert.deepEqual(await failed, { kind: "free" });

    assert.deepEqual(await store.inFlight.claimInFlight(claim("here:2", at(2), at(4))), { kind: "claimed" });
    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:2", at(3, 59))), { kind: "held", holder: "here:2", expiresAt: at(4) }, "a second before its expiry");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:2", 20_000, () => new Date(at(4))), { kind: "free" }, "expired: its process may be gone");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:3", at(4))), { kind: "claimed" }, "an expired claim is taken over at its expiry");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:2", 20_000, atMinuteOne), { kind: "free" }, "taken over, whatever the waiter's clock says");
    assert.equal(await store.inFlight.releaseInFlight("key-a", "here:2", undefined, at(5)), false, "the old holder can no longer release it");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-b", "anyone", 20_000, atMinuteOne), { kind: "free" }, "a key nobody claimed");
  });

  it("renews only the holder's claim in flight: its expiry moves on, so a claimer still finds it held", async () => {
    const store = current();
    assert.deepEqual(await store.inFlight.claimInFlight(claim("here:1", at(0), at(1))), { kind: "claimed" });
    assert.equal(await store.inFlight.renewInFlight("key-a", "there:1", at(9)), false, "only the holder renews");
    assert.equal(await store.inFlight.renewInFlight("key-b", "here:1", at(9)), false, "a key it does not hold");
    assert.equal(await store.inFlight.renewInFlight("key-a", "here:1", at(2)), true);
    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:1", at(1, 30))), { kind: "held", holder: "here:1", expiresAt: at(2) }, "past the first expiry, held by the renewal");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:1", 0, () => new Date(at(1, 30))), { kind: "waiting" }, "a waiter waits on");

    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:1", at(2))), { kind: "claimed" }, "not renewed in time: taken over at its expiry");
    assert.equal(await store.inFlight.renewInFlight("key-a", "here:1", at(3)), false, "a claim taken over is not renewed");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("elsewhere:1", at(2, 30))), { kind: "held", holder: "there:1", expiresAt: at(5) }, "the new holder's claim is untouched");
    assert.equal(await store.inFlight.releaseInFlight("key-a", "here:1", undefined, at(2, 40)), false, "nor released by the old holder");

    assert.equal(await store.inFlight.releaseInFlight("key-a", "there:1", undefined, at(3)), true);
    assert.equal(await store.inFlight.renewInFlight("key-a", "there:1", at(9)), false, "an ended claim is not renewed");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("elsewhere:1", at(3, 30))), { kind: "claimed" }, "so it stays free");
  });

  it("renews a claim that expired while nobody took it over: it is still the holder's", async () => {
    const store = current();
    await store.inFlight.claimInFlight(claim("here:1", at(0), at(1)));
    assert.equal(await store.inFlight.renewInFlight("key-a", "here:1", at(3)), true);
    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:1", at(2))), { kind: "held", holder: "here:1", expiresAt: at(3) });
  });

  it("answers 'waiting' when the wait ends with the call still in flight", async () => {
    const store = current();
    await store.inFlight.claimInFlight(claim("here:1"));
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:1", 150, atMinuteOne), { kind: "waiting" });
    assert.deepEqual(await store.inFlight.claimInFlight(claim("there:1", at(1))), { kind: "held", holder: "here:1", expiresAt: at(5) }, "still held after the wait");
  });

  it("stops waiting at once when its signal aborts (Ctrl-C, a step's deadline), with the call still in flight", async () => {
    const store = current();
    await store.inFlight.claimInFlight(claim("here:1"));
    const interruption = new AbortController();
    const started = Date.now();
    const waiting = store.inFlight.awaitInFlight("key-a", "here:1", 20_000, atMinuteOne, interruption.signal);
    // Aborted once the store is certainly waiting: after its first read answered "in flight".
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:1", 0, atMinuteOne), { kind: "waiting" });
    interruption.abort();
    assert.deepEqual(await waiting, { kind: "waiting" });
    assert.ok(Date.now() - started < 10_000, "ended by the abort, not by the 20 s timeout");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "here:1", 20_000, atMinuteOne, interruption.signal), { kind: "waiting" }, "an aborted signal does not wait at all");
  });

  it("frees a waiter whose answer was deleted since, and keeps a claim in flight through cache clear", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    await store.inFlight.claimInFlight(claim("answered"));
    await recordCall(store, callRecord("run-1", step, { finishedAt: at(1) }), { answer: "soon gone" });
    await store.inFlight.releaseInFlight("key-a", "answered", 1, at(1));
    await store.inFlight.claimInFlight(claim("calling", at(1), at(9), "key-b"));

    assert.equal(await store.cache.clear(), 1, "the one entry");
    assert.deepEqual(await store.inFlight.awaitInFlight("key-a", "answered", 20_000, atMinuteOne), { kind: "free" }, "no answer left to serve: call");
    assert.deepEqual(await store.inFlight.claimInFlight(claim("other", at(2), at(9), "key-b")), { kind: "held", holder: "calling", expiresAt: at(9) });
    assert.equal(await store.inFlight.releaseInFlight("key-b", "calling", undefined, at(3)), true, "its holder still releases it");
  });
});
