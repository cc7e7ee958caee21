/**
 * The dashboard's pages as plain HTML: overview from the report model (budgets, forecast, shares,
 * recommendations), the filterable runs list, a run page with its dagre SVG and step table, a
 * step's prompt, answer and route, models and providers; a step's live status while its call is in
 * flight. The same pages in a browser: serve-dashboard-browser.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer } from "../../src/fake-server/index.js";
import { readEvents, request, startFakeServeFixture, startServeFixture, type ServeFixture } from "./support.js";

const token = "serve-pages-token-0123456789";

describe("orch serve pages", () => {
  let fixture: ServeFixture;
  let runId: string;
  before(async () => {
    fixture = await startServeFixture({ token });
    const started = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml", inputs: { topic: "the changelog" } }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(started.status, 202, started.text);
    runId = started.body.runId;
    await readEvents(`${fixture.server.url}/api/runs/${runId}/events`);
  });
  after(async () => fixture.server.close());

  it("overview: today and this month against each budget, the forecast, the report's lines and recommendations", async () => {
    const answer = await request(fixture.server.url, "GET", "/");
    assert.equal(answer.status, 200);
    assert.match(answer.type, /^text\/html/);
    assert.match(answer.text, /<tr data-scope="day"><td>day \d{4}-\d\d-\d\d<\/td>.*?<td class="number">\$2\.00<\/td>/);
    assert.match(answer.text, /<tr data-scope="month"><td>month \d{4}-\d\d<\/td>.*?<td class="number">\$40\.00<\/td>/);
    assert.match(answer.text, /<p id="forecast"[^>]*>month \d{4}-\d\d: /);
    assert.match(answer.text, /<li>local 100% of calls/);
    assert.match(answer.text, /<li>cache 0 hits of/);
    assert.match(answer.text, /<section id="recommendations">/);
  });

  it("runs: a filterable list linking each run", async () => {
    const all = await request(fixture.server.url, "GET", "/runs");
    assert.match(all.text, new RegExp(`<tr data-run="${runId}" data-status="succeeded"><td><a href="/runs/${runId}">`));
    const failed = await request(fixture.server.url, "GET", "/runs?status=failed");
    assert.doesNotMatch(failed.text, /data-run=/);
    assert.match(failed.text, /no run matches/);
    const other = await request(fixture.server.url, "GET", "/runs?pipeline=other");
    assert.doesNotMatch(other.text, /data-run=/);
  });

  it("run page: the DAG as SVG with each node's status, the step table with model and cost, click-through links", async () => {
    const answer = await request(fixture.server.url, "GET", `/runs/${runId}`);
    assert.equal(answer.status, 200);
    assert.match(answer.text, /<svg[^>]*>/);
    assert.match(answer.text, /<g class="node" data-step="draft" data-status="succeeded">/);
    assert.match(answer.text, /<g class="node" data-step="title" data-status="succeeded">/);
    assert.equal((answer.text.match(/<path class="edge"/g) ?? []).length, 1);
    assert.match(answer.text, new RegExp(`<tr data-step="draft" data-status="succeeded"><td><a href="/runs/${runId}/steps/draft">draft</a></td><td>succeeded</td><td>offline:(cheap|dear)</td><td class="number">\\$`));
    // A finished run needs no live updates.
    assert.doesNotMatch(answer.text, /http-equiv="refresh"/);
    const live = await request(fixture.server.url, "GET", `/runs/${runId}/live`);
    assert.match(live.text, /^<p id="run-status" data-status="succeeded">/);
  });

  it("step page: the prompt sent, the route notes, each call's answer", async () => {
    const answer = await request(fixture.server.url, "GET", `/runs/${runId}/steps/draft`);
    assert.equal(answer.status, 200);
    assert.match(answer.text, /<section id="prompt"><h2>Prompt<\/h2>.*Draft the changelog in one line\./s);
    assert.match(answer.text, /<ul id="route-notes"><li>/);
    assert.match(answer.text, /<section class="call" data-status="succeeded"><h3>attempt 1 · offline:/);
    assert.match(answer.text, /<pre class="answer">./);
    const missing = await request(fixture.server.url, "GET", `/runs/${runId}/steps/nope`);
    assert.equal(missing.status, 404);
  });

  it("models and providers: calls, cost per success, latency, cool-downs", async () => {
    const answer = await request(fixture.server.url, "GET", "/models");
    assert.equal(answer.status, 200);
    assert.match(answer.text, /<table id="table-breakdown">.*cost\/success.*offline:/s);
    assert.match(answer.text, /<table id="table-latency">/);
    assert.match(answer.text, /<tr data-provider="offline"><td>offline<\/td><td>mock<\/td><td>ready<\/td><\/tr>/);
  });

  it("unknown pages answer 404 as HTML", async () => {
    const answer = await request(fixture.server.url, "GET", "/nothing-here");
    assert.equal(answer.status, 404);
    assert.match(answer.type, /^text\/html/);
  });
});

describe("orch serve run page while the run goes on", () => {
  it("follows the run's events (script) with a refresh fallback, then shows the end", async () => {
    const fixture = await startServeFixture({ token, latencyMs: 400 });
    try {
      const started = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml" }, headers: { authorization: `Bearer ${token}` } });
      const runId: string = started.body.runId;
      const running = await request(fixture.server.url, "GET", `/runs/${runId}`);
      assert.match(running.text, /<p id="run-status" data-status="running">/);
      assert.match(running.text, /<noscript><meta http-equiv="refresh" content="2"><\/noscript>/);
      assert.match(running.text, /new EventSource\("\/api\/runs\/" \+ encodeURIComponent\(id\) \+ "\/events"\)/);
      const stream = await readEvents(`${fixture.server.url}/api/runs/${runId}/events`);
      assert.equal(stream.events.at(-1)!.event, "run-end");
      const ended = await request(fixture.server.url, "GET", `/runs/${runId}/live`);
      assert.match(ended.text, /<p id="run-status" data-status="succeeded">/);
      assert.match(ended.text, /<g class="node" data-step="title" data-status="succeeded">/);
    } finally {
      await fixture.server.close();
    }
  });
});

describe("orch serve: a step's live status", () => {
  it("is running from its step-start event while its call is in flight, though the store still says pending", async () => {
    const fake = await startFakeLlmServer({ models: { "gpt-4o-mini": { defaultResponse: "Changelog drafted" } } });
    const fixture = await startFakeServeFixture(fake.url, { token });
    try {
      const draftHeld = fake.hold((recorded) => JSON.stringify(recorded.body).includes("Draft "));
      const started = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml" }, headers: { authorization: `Bearer ${token}` } });
      assert.equal(started.status, 202, started.text);
      const runId: string = started.body.runId;
      await draftHeld.reached;

      const live = await request(fixture.server.url, "GET", `/runs/${runId}/live`);
      assert.match(live.text, /<g class="node" data-step="draft" data-status="running">/);
      assert.match(live.text, /<g class="node" data-step="title" data-status="pending">/);
      assert.match(live.text, /<tr data-step="draft" data-status="running">/);
      // Next to the DAG, today's budget: nothing spent yet, the draft's worst case reserved while its call is in flight.
      const day = /<section id="run-budgets">.*?<tr data-scope="day">(.*?)<\/tr>/s.exec(live.text)?.[1] ?? "";
      assert.match(day, /^<td>day \d{4}-\d\d-\d\d<\/td><td class="number">\$0<\/td><td class="number">\$0\.\d+<\/td><td class="number">\$2\.00<\/td>/);
      const api = await request(fixture.server.url, "GET", `/api/runs/${runId}`);
      assert.deepEqual(api.body.steps.map((step: { name: string; status: string }) => [step.name, step.status]), [["draft", "running"], ["title", "pending"]]);

      draftHeld.release();
      const stream = await readEvents(`${fixture.server.url}/api/runs/${runId}/events`);
      assert.equal(stream.events.at(-1)!.data.status, "succeeded");
      const ended = await request(fixture.server.url, "GET", `/runs/${runId}/live`);
      assert.match(ended.text, /<g class="node" data-step="draft" data-status="succeeded">/);
      assert.match(ended.text, /<g class="node" data-step="title" data-status="succeeded">/);
      // draft: 6 words in, 2 out; title ("Title for: Changelog drafted"): 4 in, 2 out — at $1/M and $2/M, $0.000018 spent, nothing reserved.
      assert.match(ended.text, /<section id="run-budgets">.*?<tr data-scope="day"><td>day [^<]*<\/td><td class="number">\$0\.000018<\/td><td class="number">\$0<\/td>/s);
    } finally {
      await fixture.server.close();
      await fake.close();
    }
  });
});
