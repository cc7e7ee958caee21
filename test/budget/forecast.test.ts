import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forecastMonth, forecastOfLedger } from "../../src/budget/forecast.js";
import { forecastLine } from "../../src/cli/render/forecast-line.js";
import { createStyle } from "../../src/cli/output.js";

const plain = createStyle(false);

describe("month-end forecast", () => {
  it("projects the month's pace to its last day and alerts past the monthly limit", () => {
    // 11 January, noon UTC: 10.5 days of January's 31 have passed; $20 so far → $20 / 10.5 × 31 = $59.05.
    const forecast = forecastMonth({ spentUsd: 20, now: new Date("2026-01-11T12:00:00.000Z"), timeZone: "UTC", limitUsd: 50 });
    assert.equal(forecast.month, "2026-01");
    assert.equal(forecast.elapsedDays, 10.5);
    assert.equal(forecast.daysInMonth, 31);
    assert.ok(Math.abs(forecast.projectedUsd - 620 / 10.5) < 1e-9);
    assert.equal(forecast.overLimit, true);
    assert.equal(
      forecastLine(forecast, plain),
      "forecast alert: $20.00 spent in 2026-01 over 10.5 of 31 days → $59.05 projected by month end, above the $50 monthly limit: at this pace it stops calls before the month ends",
    );
  });

  it("counts days in the ledger's zone", () => {
    // 03:00 UTC on 1 March is 22:00 on 28 February in New York: 27 + 22/24 days of February's 28.
    const forecast = forecastMonth({ spentUsd: 28, now: new Date("2026-03-01T03:00:00.000Z"), timeZone: "America/New_York", limitUsd: 30 });
    assert.equal(forecast.month, "2026-02");
    assert.equal(forecast.daysInMonth, 28);
    assert.ok(Math.abs(forecast.elapsedDays - (27 + 22 / 24)) < 1e-12);
    assert.ok(Math.abs(forecast.projectedUsd - (28 / (27 + 22 / 24)) * 28) < 1e-9); // $28.08
    assert.equal(forecast.overLimit, false);
    assert.match(forecastLine(forecast, plain), /→ \$28\.08 projected by month end, within the \$30 monthly limit$/);
  });

  it("never projects from less than a day", () => {
    // Six hours into January: the pace is taken over one whole day, $2 → $62.
    const forecast = forecastMonth({ spentUsd: 2, now: new Date("2026-01-01T06:00:00.000Z"), timeZone: "UTC" });
    assert.equal(forecast.elapsedDays, 1);
    assert.equal(forecast.projectedUsd, 62);
    assert.equal(forecastLine(forecast, plain), "forecast: $2.00 spent in 2026-01 over 1.0 of 31 days → $62.00 projected by month end (no monthly limit)");
  });

  it("reads the report's ledger rows of the current month only, real money only", () => {
    const row = (month: string, usedUsd: number, synthetic = 0) => ({ day: `${month}-02`, month, runId: "r", pipelineName: "p", synthetic, usedNanoUsd: usedUsd * 1e9 });
    const rows = [row("2025-12", 100), row("2026-01", 3), row("2026-01", 2), row("2026-01", 50, 1)];
    const forecast = forecastOfLedger(rows, new Date("2026-01-06T00:00:00.000Z"), "UTC", 20);
    // $5 over 5 days → $31 by 31 January, above $20.
    assert.deepEqual(forecast, { month: "2026-01", spentUsd: 5, elapsedDays: 5, daysInMonth: 31, projectedUsd: 31, limitUsd: 20, overLimit: true });
    assert.equal(forecastOfLedger(rows, new Date("2026-02-06T00:00:00.000Z"), "UTC", 20), undefined, "no rows this month: no forecast");
  });
});
