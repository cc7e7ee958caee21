/**
 * The dashboard in Debian's headless chromium, driven through the DevTools protocol by
 * puppeteer-core (never a downloaded browser): load the overview, start a run through the API with
 * the token, open it from the runs list, and watch its DAG change state live — each call is held at
 * the fake server until the test releases it, so every state is waited for in the DOM, none
 * guessed with a delay — then click a node to open the step's prompt from the call log, and take
 * the screenshot the README shows.
 *
 * Without chromium the test skips and says why; with ORCH_REQUIRE_CHROMIUM=1 (CI) it fails instead.
 * ORCH_DASHBOARD_SCREENSHOT=docs/images/dashboard.png keeps the screenshot (the README's picture);
 * otherwise it goes to a temporary folder.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from "../../src/fake-server/index.js";
import { countColour, decodePng } from "../report/support/png.js";
import { chromiumExecutable, chromiumSetting, chromiumSkip, headlessChromiumFlags } from "../support/chromium.js";
import { temporaryDirectory } from "../support/cli.js";
import { request, startFakeServeFixture, type ServeFixture } from "./support.js";

const token = "serve-browser-token-0123456789";
const browserSetting = chromiumSetting();

/** changes → (notes, title) → announce: a diamond, so the picture shows steps running side by side. */
const releasePipeline = `version: 1
name: release
policy: policy.yaml
inputs:
  version: { default: "2.1" }
steps:
  changes:
    prompt: "List the user-visible changes in version <%= it.inputs.version %>."
    max_tokens: 200
  notes:
    needs: [changes]
    prompt: "Write release notes from: <%= it.steps.changes.output %>"
    max_tokens: 400
  title:
    needs: [changes]
    prompt: "A title for version <%= it.inputs.version %> from: <%= it.steps.changes.output %>"
    max_tokens: 40
  announce:
    needs: [notes, title]
    prompt: "Announce <%= it.steps.title.output %> in two sentences."
    max_tokens: 120
`;

const changesAnswer = "Dark mode, faster search and a fixed login bug.";

/**
 * The little of the page's globals the functions run in the page use: orch compiles without the
 * DOM's types, and those functions are sent to the page as source, so they name `globalThis` itself.
 */
interface PageGlobals {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null };
  orchSameDocument?: boolean;
}

/** The node's status as the page shows it now. */
function nodeStatus(page: Page, step: string): Promise<string | null> {
  return page.$eval(`g.node[data-step="${step}"]`, (node) => node.getAttribute("data-status"));
}

/** Waits until the page's DOM shows every listed node in its status (no reload: the page's own script redraws it). */
async function waitForNodes(page: Page, expected: Record<string, string>): Promise<void> {
  await page.waitForFunction(
    (wanted: Record<string, string>) => Object.entries(wanted).every(([step, status]) => (globalThis as unknown as PageGlobals).document.querySelector(`g.node[data-step="${step}"]`)?.getAttribute("data-status") === status),
    { timeout: 30_000 },
    expected,
  );
}

const promptMentions = (text: string) => (recorded: RecordedRequest) => JSON.stringify(recorded.body ?? "").includes(text);

describe("the dashboard in headless chromium (DevTools protocol)", { skip: chromiumSkip(browserSetting) }, () => {
  let fake: FakeLlmServer;
  let fixture: ServeFixture;
  let browser: Browser;
  before(async () => {
    fake = await startFakeLlmServer({ models: { "gpt-4o-mini": { responses: [changesAnswer], defaultResponse: "Version 2.1: dark mode is here." } } });
    fixture = await startFakeServeFixture(fake.url, { token, files: { "release.yaml": releasePipeline } });
    browser = await puppeteer.launch({
      executablePath: chromiumExecutable(browserSetting),
      headless: true,
      pipe: true,
      args: headlessChromiumFlags,
      userDataDir: temporaryDirectory("orch-chromium-"),
    });
  });
  after(async () => {
    await browser?.close();
    await fixture?.server.close();
    await fake?.close();
  });

  it("shows a run's nodes going pending → running → succeeded live, opens a step's prompt, and takes a screenshot", { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    const base = fixture.server.url;

    const overview = await page.goto(`${base}/`);
    assert.equal(overview?.status(), 200);
    await page.waitForSelector("#table-budgets tr[data-scope='day']");

    // Every call is held at the fake server until released below.
    const changesHeld = fake.hold(promptMentions("List the user-visible changes"));
    const notesHeld = fake.hold(promptMentions("Write release notes from"));
    const titleHeld = fake.hold(promptMentions("A title for version"));
    const started = await request(base, "POST", "/api/runs", { json: { pipeline: "release.yaml" }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(started.status, 202, started.text);
    const runId: string = started.body.runId;
    await changesHeld.reached;

    // Overview → Runs → the run, by clicking, as a person would.
    await Promise.all([page.waitForNavigation(), page.click("nav a[href='/runs']")]);
    await Promise.all([page.waitForNavigation(), page.click(`tr[data-run="${runId}"] a`)]);
    assert.equal(new URL(page.url()).pathname, `/runs/${runId}`);
    await waitForNodes(page, { changes: "running", notes: "pending", title: "pending", announce: "pending" });
    assert.equal(await page.$eval("#run-status", (element) => element.getAttribute("data-status")), "running");
    // Marks this document: a reload or a navigation would lose it.
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).orchSameDocument = true));

    changesHeld.release();
    await Promise.all([notesHeld.reached, titleHeld.reached]);
    await waitForNodes(page, { changes: "succeeded", notes: "running", title: "running", announce: "pending" });
    // The step table follows the graph, with the model and cost of the finished step: a token per
    // word at $1/M in, $2/M out; 7 words in, 9 out = $0.000025.
    assert.equal(await page.$eval(`tr[data-step="changes"] td:nth-child(3)`, (cell) => cell.textContent), "openai:gpt-4o-mini");
    assert.equal(await page.$eval(`tr[data-step="changes"] td:nth-child(4)`, (cell) => cell.textContent), "$0.000025");
    // Next to it, today's budget: what changes cost is spent, and the two calls in flight hold their worst case as reserved.
    await page.waitForFunction(() => !["$0", undefined].includes((globalThis as unknown as PageGlobals).document.querySelector("#run-budgets tr[data-scope='day'] td:nth-child(3)")?.textContent ?? undefined), { timeout: 30_000 });
    assert.equal(await page.$eval("#run-budgets tr[data-scope='day'] td:nth-child(2)", (cell) => cell.textContent), "$0.000025");
    assert.equal(await page.$eval("#run-budgets tr[data-scope='day'] td:nth-child(4)", (cell) => cell.textContent), "$2.00");

    // The README's picture: one step done, two running side by side, one waiting.
    const screenshotFile = process.env.ORCH_DASHBOARD_SCREENSHOT ? path.resolve(process.env.ORCH_DASHBOARD_SCREENSHOT) : path.join(temporaryDirectory("orch-dashboard-"), "dashboard.png");
    await page.screenshot({ path: screenshotFile as `${string}.png`, type: "png" });
    const image = decodePng(readFileSync(screenshotFile));
    assert.deepEqual([image.width, image.height], [1280, 800]);
    // Painted, not only in the DOM: the succeeded node's fill (#e3f6ec) and the running nodes' fill (#e3f0fb), from report/graph/render-svg.ts.
    assert.ok(countColour(image, "#e3f6ec") > 1_000, "the succeeded node is painted");
    assert.ok(countColour(image, "#e3f0fb") > 2_000, "the two running nodes are painted");

    notesHeld.release();
    titleHeld.release();
    await waitForNodes(page, { changes: "succeeded", notes: "succeeded", title: "succeeded", announce: "succeeded" });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector("#run-status")?.getAttribute("data-status") === "succeeded", { timeout: 30_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).orchSameDocument), true, "the run page updated without a reload");
    assert.equal(await nodeStatus(page, "announce"), "succeeded");
    // changes $0.000025, notes 13 in + 6 out = $0.000025, title 15 + 6 = $0.000027, announce 10 + 6 = $0.000022: $0.000099, nothing left reserved.
    assert.match(await page.$eval("#run-status", (element) => element.textContent ?? ""), /^release · succeeded · \$0\.000099 · started /);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector("#run-budgets tr[data-scope='day'] td:nth-child(3)")?.textContent === "$0", { timeout: 30_000 });
    assert.equal(await page.$eval("#run-budgets tr[data-scope='day'] td:nth-child(2)", (cell) => cell.textContent), "$0.000099");

    // A click on a node opens the step: its prompt as rendered and sent (from the call log), its answer.
    await Promise.all([page.waitForNavigation(), page.click(`g.node[data-step="notes"]`)]);
    assert.equal(new URL(page.url()).pathname, `/runs/${runId}/steps/notes`);
    const prompt = await page.$eval("#prompt", (section) => section.textContent ?? "");
    assert.match(prompt, new RegExp(`Write release notes from: ${changesAnswer.replace(/\./g, "\\.")}`));
    const answer = await page.$eval("#calls pre.answer", (element) => element.textContent);
    assert.equal(answer, "Version 2.1: dark mode is here.");
  });
});

describe("finding the browser for that test", () => {
  it("uses ORCH_CHROMIUM, else chromium on PATH; skips saying why, or fails under ORCH_REQUIRE_CHROMIUM=1", () => {
    const folder = temporaryDirectory("orch-no-browser-");
    const withBrowser = temporaryDirectory("orch-browser-");
    writeFileSync(path.join(withBrowser, "chromium"), "#!/bin/sh\n", { mode: 0o755 });
    assert.deepEqual(chromiumSetting({ ORCH_CHROMIUM: process.execPath, PATH: withBrowser }), { kind: "run", executablePath: process.execPath });
    assert.deepEqual(chromiumSetting({ PATH: `${folder}${path.delimiter}${withBrowser}` }), { kind: "run", executablePath: path.join(withBrowser, "chromium") });
    const skipped = chromiumSetting({ PATH: folder });
    assert.equal(skipped.kind, "skip");
    assert.match((skipped as { reason: string }).reason, /^browser test skipped: no `chromium` on PATH/);
    const required = chromiumSetting({ PATH: folder, ORCH_REQUIRE_CHROMIUM: "1" });
    assert.equal(required.kind, "fail");
    assert.throws(() => chromiumExecutable(required), /ORCH_REQUIRE_CHROMIUM=1 but no `chromium` on PATH/);
    assert.match((chromiumSetting({ ORCH_CHROMIUM: path.join(folder, "absent") }) as { reason: string }).reason, /ORCH_CHROMIUM=.*absent is not an executable file/);
  });
});
