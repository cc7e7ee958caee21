/**
 * `orch serve`'s JSON API on a free loopback port: every endpoint's status and shape, the bearer
 * token gate (no run started, no money spent without it), 4xx naming the field, and a run started
 * through the API on the mock provider followed over Server-Sent Events until run-end.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openStore } from "../../src/store/index.js";
import { readEvents, request, startServeFixture, type ServeFixture } from "./support.js";

const token = "serve-test-token-0123456789";
const authorized = { authorization: `Bearer ${token}` };

async function runsIn(database: string): Promise<number> {
  const store = await openStore(database);
  try {
    return (await store.callLog.listRuns({ limit: 100 })).length;
  } finally {
    await store.close();
  }
}

describe("orch serve API without ORCH_SERVE_TOKEN", () => {
  let fixture: ServeFixture;
  before(async () => {
    fixture = await startServeFixture();
  });
  after(async () => fixture.server.close());

  it("binds to 127.0.0.1 and says runs are disabled", async () => {
    assert.match(fixture.server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(fixture.server.url, "GET", "/api/health");
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: "ok", project: fixture.directory, database: fixture.database, runsEnabled: false });
  });

  it("refuses to start a run with 403 saying how to enable it, and records nothing", async () => {
    const answer = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml" }, headers: authorized });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.field, "authorization");
    assert.match(answer.body.error.message, /set ORCH_SERVE_TOKEN/);
    assert.equal(await runsIn(fixture.database), 0);
  });
});

describe("orch serve API with ORCH_SERVE_TOKEN", () => {
  let fixture: ServeFixture;
  before(async () => {
    fixture = await startServeFixture({ token, latencyMs: 100 });
  });
  after(async () => fixture.server.close());

  it("serves its OpenAPI 3.1 document, listing every endpoint", async () => {
    const answer = await request(fixture.server.url, "GET", "/api/openapi.json");
    assert.equal(answer.status, 200);
    assert.equal(answer.body.openapi, "3.1.0");
    assert.deepEqual(Object.keys(answer.body.paths).sort(), ["/api/budgets", "/api/health", "/api/openapi.json", "/api/route", "/api/runs", "/api/runs/{id}", "/api/runs/{id}/events"]);
    assert.deepEqual(answer.body.paths["/api/runs"].post.security, [{ bearer: [] }]);
  });

  it("answers 401 to a missing or wrong token, and starts nothing", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong-token" }, { authorization: token }] as Record<string, string>[]) {
      const answer = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml" }, headers });
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.body.error.field, "authorization");
    }
    assert.equal(await runsIn(fixture.database), 0);
  });

  it("refuses malformed run requests with a 4xx naming the field, and starts nothing", async () => {
    const cases: [{ json?: unknown; raw?: string; headers?: Record<string, string> }, number, string][] = [
      [{ json: {} }, 400, "pipeline"],
      [{ json: { pipeline: 3 } }, 400, "pipeline"],
      [{ json: { pipeline: "../outside.yaml" } }, 400, "pipeline"],
      [{ json: { pipeline: "missing.yaml" } }, 400, "pipeline"],
      [{ json: { pipeline: "notes.yaml", inputs: [] } }, 400, "inputs"],
      [{ json: { pipeline: "notes.yaml", inputs: { topic: { nested: true } } } }, 400, "inputs.topic"],
      [{ json: { pipeline: "notes.yaml", inputs: { unknown_input: "x" } } }, 400, "inputs"],
      [{ json: { pipeline: "notes.yaml", colour: "red" } }, 400, "colour"],
      [{ raw: "{not json", headers: { "content-type": "application/json" } }, 400, "body"],
      [{ raw: "pipeline=notes.yaml", headers: { "content-type": "text/plain" } }, 415, "content-type"],
    ];
    for (const [options, status, field] of cases) {
      const answer = await request(fixture.server.url, "POST", "/api/runs", { ...options, headers: { ...authorized, ...options.headers } });
      assert.equal(answer.status, status, `${JSON.stringify(options)}: ${answer.text}`);
      assert.equal(answer.body.error.field, field, JSON.stringify(options));
    }
    assert.equal(await runsIn(fixture.database), 0);
  });

  it("starts a run on the mock provider and streams its events over SSE until run-end", async () => {
    const started = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml", inputs: { topic: "the changelog" } }, headers: authorized });
    assert.equal(started.status, 202, started.text);
    const runId: string = started.body.runId;
    assert.deepEqual(started.body.links, { run: `/api/runs/${runId}`, events: `/api/runs/${runId}/events`, page: `/runs/${runId}` });

    const stream = await readEvents(`${fixture.server.url}/api/runs/${runId}/events`);
    assert.equal(stream.status, 200);
    assert.match(stream.type, /^text\/event-stream/);
    const names = stream.events.map((event) => event.event);
    assert.equal(names[0], "run-start");
    assert.equal(names.at(-1), "run-end");
    assert.deepEqual(stream.events.filter((event) => event.event === "step-end").map((event) => [event.data.step, event.data.status]), [["draft", "succeeded"], ["title", "succeeded"]]);
    assert.equal(stream.events.at(-1)!.data.status, "succeeded");

    const run = await request(fixture.server.url, "GET", `/api/runs/${runId}`);
    assert.equal(run.status, 200);
    assert.equal(run.body.status, "succeeded");
    assert.deepEqual(run.body.steps.map((step: { name: string; status: string }) => [step.name, step.status]), [["draft", "succeeded"], ["title", "succeeded"]]);
    assert.match(JSON.stringify(run.body.steps[0].prompts), /Draft the changelog in one line\./);

    const list = await request(fixture.server.url, "GET", "/api/runs?status=succeeded&pipeline=notes");
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.runs.map((listed: { id: string }) => listed.id), [runId]);
    const none = await request(fixture.server.url, "GET", "/api/runs?status=failed");
    assert.deepEqual(none.body.runs, []);

    // A finished run's stream is read from the store: its steps, then run-end.
    const replay = await readEvents(`${fixture.server.url}/api/runs/${runId}/events`);
    assert.equal(replay.events.at(-1)!.event, "run-end");
  });

  it("answers 4xx naming the field for bad queries and unknown runs", async () => {
    const badStatus = await request(fixture.server.url, "GET", "/api/runs?status=done");
    assert.deepEqual([badStatus.status, badStatus.body.error.field], [400, "status"]);
    const badLimit = await request(fixture.server.url, "GET", "/api/runs?limit=0");
    assert.deepEqual([badLimit.status, badLimit.body.error.field], [400, "limit"]);
    const unknown = await request(fixture.server.url, "GET", "/api/runs/no-such-run");
    assert.deepEqual([unknown.status, unknown.body.error.field], [404, "id"]);
    const unknownEvents = await request(fixture.server.url, "GET", "/api/runs/no-such-run/events");
    assert.deepEqual([unknownEvents.status, unknownEvents.body.error.field], [404, "id"]);
    const nowhere = await request(fixture.server.url, "GET", "/api/nothing");
    assert.deepEqual([nowhere.status, nowhere.body.error.field], [404, "path"]);
  });

  it("gives a routing decision without calling anything, and names a bad field", async () => {
    const answer = await request(fixture.server.url, "POST", "/api/route", { json: { task: "writing", quality: "economy", tokens: 200 } });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.request.task, "writing");
    assert.equal(answer.body.request.estimatedInputTokens, 200);
    assert.ok(Array.isArray(answer.body.explanation));
    assert.match(JSON.stringify(answer.body.decision), /offline:cheap/);
    for (const [json, field] of [[{}, "task"], [{ task: "writing", quality: "best" }, "quality"], [{ task: "writing", tokens: -1 }, "tokens"], [{ task: "writing", tags: "a" }, "tags"]] as const) {
      const refused = await request(fixture.server.url, "POST", "/api/route", { json });
      assert.deepEqual([refused.status, refused.body.error.field], [400, field], JSON.stringify(json));
    }
  });

  it("reads the budgets: today and this month against the policy's limits, with the forecast", async () => {
    const answer = await request(fixture.server.url, "GET", "/api/budgets");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.limits, { dailyUsd: 2, monthlyUsd: 40 });
    const day = answer.body.scopes.find((scope: { scope: string }) => scope.scope === "day");
    assert.equal(day.limitUsd, 2);
    assert.ok("forecast" in answer.body);
  });
});

describe("orch serve shutdown", () => {
  it("stops a run it started as Ctrl-C does: recorded as interrupted", async () => {
    const fixture = await startServeFixture({ token, latencyMs: 60_000 });
    const started = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml" }, headers: authorized });
    assert.equal(started.status, 202, started.text);
    await fixture.server.close();
    const store = await openStore(fixture.database);
    try {
      assert.equal((await store.runs.getRun(started.body.runId))?.status, "interrupted");
    } finally {
      await store.close();
    }
  });
});
