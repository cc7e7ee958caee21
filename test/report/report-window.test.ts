import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../src/errors/orch-error.js";
import { niceCeiling } from "../../src/report/html/charts.js";
import { percentile } from "../../src/report/percentile.js";
import { inWindow, reportWindow, windowDays } from "../../src/report/report-window.js";

const now = new Date("2025-03-10T12:00:00.000Z");

describe("report window", () => {
  it("reads --since as the duration up to now, 30 days by default", () => {
    assert.deepEqual(reportWindow({ since: "7d" }, now), { fromIso: "2025-03-03T12:00:00.000Z", toIso: "2025-03-10T12:00:00.000Z", label: "last 7d" });
    assert.equal(reportWindow({}, now).fromIso, "2025-02-08T12:00:00.000Z");
    assert.deepEqual(windowDays(reportWindow({ since: "2d" }, now), "UTC"), ["2025-03-08", "2025-03-09", "2025-03-10"]);
  });

  it("reads --from/--to as whole calendar days in the report's time zone", () => {
    const window = reportWindow({ from: "2025-03-01", to: "2025-03-09" }, now);
    assert.deepEqual(window.days, { from: "2025-03-01", to: "2025-03-09" });
    assert.equal(window.label, "2025-03-01 to 2025-03-09");
    const lateEvening = "2025-03-09T23:30:00.000Z";
    assert.equal(inWindow(window, lateEvening, "UTC"), true);
    assert.equal(inWindow(window, lateEvening, "Asia/Tokyo"), false, "already 03-10 in Tokyo");
    assert.equal(inWindow(window, "2025-02-28T20:00:00.000Z", "Asia/Tokyo"), true, "already 03-01 in Tokyo");
    assert.equal(windowDays(window, "UTC").length, 9);
  });

  it("refuses flags that cannot be read, with exit code 2", () => {
    for (const flags of [{ since: "7d", from: "2025-03-01" }, { since: "a week" }, { since: "0d" }, { from: "2025-02-30" }, { from: "03/01/2025" }, { from: "2025-03-09", to: "2025-03-01" }]) {
      assert.throws(() => reportWindow(flags, now), (error: unknown) => error instanceof UsageError && error.exitCode === 2, JSON.stringify(flags));
    }
  });
});

describe("percentile (nearest rank)", () => {
  it("picks an observed value", () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(ten, 50), 5);
    assert.equal(percentile(ten, 95), 10);
    assert.equal(percentile([...ten, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95), 19);
    assert.equal(percentile([42], 50), 42);
    assert.equal(percentile([42], 95), 42);
  });
});

describe("chart scale", () => {
  it("rounds the axis up to 1, 2, 2.5 or 5 times a power of ten", () => {
    assert.deepEqual([0, 0.0034, 0.096, 0.1, 3.2, 7, 11].map(niceCeiling), [0, 0.005, 0.1, 0.1, 5, 10, 20]);
  });
});
