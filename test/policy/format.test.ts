import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseDuration } from "../../src/policy/duration.js";
import { formatBalance, formatClock, formatDuration, formatLimit, formatUsd } from "../../src/policy/format.js";

describe("formatting figures", () => {
  test("computed amounts: cents from ten cents, four decimals below, finer under a hundredth of a cent", () => {
    assert.equal(formatUsd(0), "$0");
    assert.equal(formatUsd(0.31), "$0.31");
    assert.equal(formatUsd(12.5), "$12.50");
    assert.equal(formatUsd(0.042), "$0.0420");
    assert.equal(formatUsd(0.0012), "$0.0012");
    assert.equal(formatUsd(0.000045), "$0.000045");
    assert.equal(formatUsd(-0.5), "-$0.50");
  });

  test("balances in cents, limits as written", () => {
    assert.equal(formatBalance(0.12), "$0.12");
    assert.equal(formatBalance(0.04), "$0.04");
    assert.equal(formatBalance(0.004), "$0.0040");
    assert.equal(formatBalance(0), "$0.00");
    assert.equal(formatLimit(5), "$5");
    assert.equal(formatLimit(0.5), "$0.50");
    assert.equal(formatLimit(0.02), "$0.02");
    assert.equal(formatLimit(0.005), "$0.005");
  });

  test("clock times in the policy's time zone", () => {
    const at = Date.UTC(2025, 2, 10, 14, 5);
    assert.equal(formatClock(at, "UTC"), "14:05");
    assert.equal(formatClock(at, "Europe/Paris"), "15:05");
    assert.equal(formatClock(at, "Not/AZone"), "14:05 UTC");
  });

  test("durations both ways", () => {
    assert.equal(parseDuration("1h"), 3_600_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("2d"), 172_800_000);
    assert.equal(parseDuration("45s"), 45_000);
    assert.equal(parseDuration(""), undefined);
    assert.equal(parseDuration("1 hour"), undefined);
    assert.equal(formatDuration(5_400_000), "1h30m");
    assert.equal(formatDuration(0), "0s");
  });
});
