/**
 * Nothing reaches a provider or the ledger through `orch serve` unless the request is authorised
 * and well formed. Each refused request below is checked at the source of spending: the fake
 * server (OpenAI's SDK talks to it) received no request at all, and the database holds no run, no
 * call and no reservation. The last test is the control: the same setup, asked properly, spends.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { databaseCounts, readEvents, request, startFakeServeFixture, type ServeFixture } from "./support.js";

const token = "serve-guard-token-0123456789";
const nothing = { runs: 0, calls: 0, reservations: 0, openReservations: 0, settledNano: 0 };

/** A pipeline with a required input and a typed one, for refusals of `inputs`. */
const countsPipeline = `version: 1
name: counts
policy: policy.yaml
inputs:
  subject: { required: true }
  lines: { type: number, default: 3 }
steps:
  write:
    prompt: "Write <%= it.inputs.lines %> lines on <%= it.inputs.subject %>."
    max_tokens: 50
`;

interface Refusal {
  name: string;
  method?: string;
  path?: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  field: string;
}

describe("orch serve: no run, no call, no reservation without an authorised, well-formed request", () => {
  let fake: FakeLlmServer;
  before(async () => {
    fake = await startFakeLlmServer();
  });
  after(async () => fake.close());

  async function assertRefusedWithoutSpending(fixture: ServeFixture, refusals: readonly Refusal[]): Promise<void> {
    fake.reset();
    for (const refusal of refusals) {
      const headers = { ...(refusal.json === undefined && refusal.raw === undefined ? {} : { "content-type": "application/json" }), ...refusal.headers };
      const answer = await request(fixture.server.url, refusal.method ?? "POST", refusal.path ?? "/api/runs", {
        ...(refusal.json === undefined ? {} : { json: refusal.json }),
        ...(refusal.raw === undefined ? {} : { raw: refusal.raw }),
        headers,
      });
      assert.equal(answer.status, refusal.status, `${refusal.name}: ${answer.text}`);
      assert.equal(answer.body?.error?.field, refusal.field, refusal.name);
      assert.equal(typeof answer.body.error.message, "string", refusal.name);
      assert.doesNotMatch(answer.text, /\n\s+at /, `${refusal.name}: no stack trace`);
    }
    assert.deepEqual(fake.requests, [], "no request reached the provider");
    assert.deepEqual(databaseCounts(fixture.database), nothing, "nothing started, called or reserved");
  }

  it("without ORCH_SERVE_TOKEN: every POST /api/runs is refused with 403, whatever it sends", async () => {
    const fixture = await startFakeServeFixture(fake.url);
    try {
      await assertRefusedWithoutSpending(fixture, [
        { name: "no authorization", json: { pipeline: "notes.yaml" }, status: 403, field: "authorization" },
        { name: "some bearer token", json: { pipeline: "notes.yaml" }, headers: { authorization: `Bearer ${token}` }, status: 403, field: "authorization" },
        { name: "an empty bearer token", json: { pipeline: "notes.yaml" }, headers: { authorization: "Bearer " }, status: 403, field: "authorization" },
      ]);
    } finally {
      await fixture.server.close();
    }
  });

  it("with ORCH_SERVE_TOKEN: a missing or wrong token is refused with 401 before the body is read", async () => {
    const fixture = await startFakeServeFixture(fake.url, { token });
    try {
      const body = { pipeline: "notes.yaml" };
      await assertRefusedWithoutSpending(fixture, [
        { name: "no authorization", json: body, status: 401, field: "authorization" },
        { name: "wrong token", json: body, headers: { authorization: "Bearer serve-guard-token-0123456780" }, status: 401, field: "authorization" },
        { name: "a prefix of the token", json: body, headers: { authorization: `Bearer ${token.slice(0, -1)}` }, status: 401, field: "authorization" },
        { name: "the token and more", json: body, headers: { authorization: `Bearer ${token}x` }, status: 401, field: "authorization" },
        { name: "the token without the Bearer scheme", json: body, headers: { authorization: token }, status: 401, field: "authorization" },
        { name: "another scheme", json: body, headers: { authorization: `Basic ${Buffer.from(`user:${token}`).toString("base64")}` }, status: 401, field: "authorization" },
        { name: "the token in another header", json: body, headers: { "x-orch-token": token }, status: 401, field: "authorization" },
        { name: "the token in the query", path: `/api/runs?token=${token}`, json: body, status: 401, field: "authorization" },
        // Checked before the body: a malformed body without the token says 401, not 400.
        { name: "malformed body, no token", raw: "{not json", status: 401, field: "authorization" },
      ]);
    } finally {
      await fixture.server.close();
    }
  });

  it("with the right token: each malformed request gets a 4xx naming the field", async () => {
    const fixture = await startFakeServeFixture(fake.url, { token, files: { "counts.yaml": countsPipeline, "prompts/readme.txt": "not a pipeline\n" } });
    const authorised = { authorization: `Bearer ${token}` };
    try {
      await assertRefusedWithoutSpending(fixture, [
        { name: "no body", headers: { ...authorised, "content-type": "application/json" }, raw: "", status: 400, field: "body" },
        { name: "not JSON", headers: authorised, raw: "{not json", status: 400, field: "body" },
        { name: "a JSON array", headers: authorised, json: [{ pipeline: "notes.yaml" }], status: 400, field: "body" },
        { name: "a form, not JSON", headers: { ...authorised, "content-type": "application/x-www-form-urlencoded" }, raw: "pipeline=notes.yaml", status: 415, field: "content-type" },
        { name: "a body over 1 MiB", headers: authorised, raw: JSON.stringify({ pipeline: "notes.yaml", inputs: { topic: "x".repeat(1024 * 1024) } }), status: 413, field: "body" },
        { name: "no pipeline", headers: authorised, json: { inputs: {} }, status: 400, field: "pipeline" },
        { name: "pipeline not a string", headers: authorised, json: { pipeline: ["notes.yaml"] }, status: 400, field: "pipeline" },
        { name: "pipeline outside the project", headers: authorised, json: { pipeline: "../notes.yaml" }, status: 400, field: "pipeline" },
        { name: "pipeline as an absolute path", headers: authorised, json: { pipeline: "/etc/hostname" }, status: 400, field: "pipeline" },
        { name: "pipeline that is a folder", headers: authorised, json: { pipeline: "prompts" }, status: 400, field: "pipeline" },
        { name: "pipeline that does not exist", headers: authorised, json: { pipeline: "absent.yaml" }, status: 400, field: "pipeline" },
        { name: "a file that is not a pipeline", headers: authorised, json: { pipeline: "prompts/readme.txt" }, status: 400, field: "pipeline" },
        { name: "a policy, not a pipeline", headers: authorised, json: { pipeline: "policy.yaml" }, status: 400, field: "pipeline" },
        { name: "an unknown field", headers: authorised, json: { pipeline: "notes.yaml", budget_usd: 100 }, status: 400, field: "budget_usd" },
        { name: "inputs not an object", headers: authorised, json: { pipeline: "notes.yaml", inputs: "topic=x" }, status: 400, field: "inputs" },
        { name: "an input value that is an object", headers: authorised, json: { pipeline: "notes.yaml", inputs: { topic: { text: "x" } } }, status: 400, field: "inputs.topic" },
        { name: "an input value that is null", headers: authorised, json: { pipeline: "notes.yaml", inputs: { topic: null } }, status: 400, field: "inputs.topic" },
        { name: "an input the pipeline does not declare", headers: authorised, json: { pipeline: "notes.yaml", inputs: { colour: "red" } }, status: 400, field: "inputs" },
        { name: "a required input missing", headers: authorised, json: { pipeline: "counts.yaml" }, status: 400, field: "inputs" },
        { name: "a number input that is not a number", headers: authorised, json: { pipeline: "counts.yaml", inputs: { subject: "x", lines: "many" } }, status: 400, field: "inputs" },
        { name: "PUT is not a way to start a run", method: "PUT", headers: authorised, json: { pipeline: "notes.yaml" }, status: 404, field: "path" },
      ]);
    } finally {
      await fixture.server.close();
    }
  });

  it("POST /api/route needs no token because it calls nothing and reserves nothing", async () => {
    const fixture = await startFakeServeFixture(fake.url);
    try {
      fake.reset();
      const answer = await request(fixture.server.url, "POST", "/api/route", { json: { task: "writing", tokens: 2000, max_tokens: 500 } });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.decision.candidates.map((candidate: { provider: string; model: string }) => `${candidate.provider}:${candidate.model}`), ["openai:gpt-4o-mini"]);
      assert.deepEqual(fake.requests.filter((recorded) => recorded.method === "POST"), [], "no completion was asked for");
      assert.deepEqual(databaseCounts(fixture.database), nothing);
    } finally {
      await fixture.server.close();
    }
  });

  it("control: the same server, asked with the token and a well-formed body, does call and spend", async () => {
    const fixture = await startFakeServeFixture(fake.url, { token, files: { "counts.yaml": countsPipeline } });
    try {
      fake.reset();
      fake.script("gpt-4o-mini", { defaultResponse: "Done." });
      const started = await request(fixture.server.url, "POST", "/api/runs", { json: { pipeline: "counts.yaml", inputs: { subject: "tests", lines: 2 } }, headers: { authorization: `Bearer ${token}` } });
      assert.equal(started.status, 202, started.text);
      const stream = await readEvents(`${fixture.server.url}${started.body.links.events}`);
      assert.equal(stream.events.at(-1)!.data.status, "succeeded");
      assert.equal(fake.requests.filter((recorded) => recorded.path === "/v1/chat/completions").length, 1);
      // "Write 2 lines on tests." is 5 words in, "Done." 1 out: 5 × $1/M + 1 × $2/M = $0.000007.
      assert.deepEqual(databaseCounts(fixture.database), { runs: 1, calls: 1, reservations: 1, openReservations: 0, settledNano: 7_000 });
    } finally {
      await fixture.server.close();
    }
  });
});
