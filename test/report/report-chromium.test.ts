/**
 * Opens the `--html` report in headless Chromium (Debian's `chromium` package) and checks that it
 * renders: the DOM Chromium builds holds the charts, the tables and the graph, and a screenshot
 * shows the charts' colours. Skipped, saying why, where chromium is absent (test/support/chromium.ts);
 * CI installs it and sets ORCH_REQUIRE_CHROMIUM=1, which turns that skip into a failure.
 *
 * `ORCH_REPORT_SCREENSHOT=docs/report-screenshot.png` keeps the screenshot (the README's picture).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { chromiumExecutable, chromiumSetting, chromiumSkip, headlessChromiumFlags } from "../support/chromium.js";
import { runCliInProcess, temporaryDirectory } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { countColour, decodePng } from "./support/png.js";
import { fixturePipelines, fixturePolicy, reportDatabaseFile } from "./support/report-fixture.js";

const browser = chromiumSetting();

function runChromium(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const profile = temporaryDirectory("orch-chromium-");
  const flags = ["--headless", ...headlessChromiumFlags, `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(chromiumExecutable(browser), [...flags, ...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** The rows of one table's body in the DOM Chromium serialised. */
function bodyRows(dom: string, id: string): number {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(dom)?.[1];
  assert.ok(table, `table ${id} is in the DOM`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? "";
  return (body.match(/<tr>/g) ?? []).length;
}

describe("the HTML report in headless Chromium", () => {
  it("renders the charts, the tables and the last run's graph", { skip: chromiumSkip(browser) }, async () => {
    const directory = writeProject({ "policy.yaml": fixturePolicy, "notes.yaml": fixturePipelines.notes, "triage.yaml": fixturePipelines.triage });
    const db = await reportDatabaseFile(directory, { pipelineDirectory: directory });
    const html = path.join(directory, "report.html");
    const { code, stderr } = await runCliInProcess([
      "report", "--from", "2025-03-01", "--to", "2025-03-09", "--html", html, "--policy", path.join(directory, "policy.yaml"), "--db", db,
    ]);
    assert.equal(code, 0, stderr);
    const url = pathToFileURL(html).href;

    const { stdout: dom } = await runChromium(["--dump-dom", url]);
    assert.match(dom, /<title>orch report · 2025-03-01 to 2025-03-09<\/title>/);
    assert.equal((dom.match(/<rect class="bar" data-day="2025-03-\d\d"/g) ?? []).length, 9, "a column per day");
    assert.equal((dom.match(/<rect class="bar" data-model="/g) ?? []).length, 4, "a bar per model");
    assert.match(dom, /<line class="limit"/);
    assert.equal(bodyRows(dom, "table-breakdown"), 4);
    assert.equal(bodyRows(dom, "table-latency"), 4);
    assert.equal(bodyRows(dom, "table-budget"), 5);
    assert.equal(bodyRows(dom, "table-escalations"), 1);
    assert.equal((dom.match(/<li class="recommendation"/g) ?? []).length, 4);
    // The last run (r6, triage): classify and label succeeded, extra was stopped by the budget.
    assert.match(dom, /<g class="node" data-step="classify" data-status="succeeded">/);
    assert.match(dom, /<g class="node" data-step="extra" data-status="budget_stopped">/);
    assert.equal((dom.match(/<path class="edge"/g) ?? []).length, 2);

    const screenshot = path.join(directory, "report.png");
    await runChromium(["--hide-scrollbars", "--window-size=1100,2300", `--screenshot=${screenshot}`, url]);
    const png = readFileSync(screenshot);
    assert.ok(png.length > 10_000, `screenshot has ${png.length} bytes`);
    const image = decodePng(png);
    assert.deepEqual([image.width, image.height], [1100, 2300]);
    // Painted, not just present: the day columns and the first model's bar are #3b82c4, the second model's bar #2e9e6f.
    assert.ok(countColour(image, "#3b82c4") > 2_000, "the spend charts are painted");
    assert.ok(countColour(image, "#2e9e6f") > 200, "the second model's bar is painted");
    assert.ok(countColour(image, "#fdf1de") > 1_000, "the budget-stopped step of the graph is painted");
    if (process.env.ORCH_REPORT_SCREENSHOT) copyFileSync(screenshot, process.env.ORCH_REPORT_SCREENSHOT);
  });
});
