/**
 * `orch serve` as a process, as users start it: on a free loopback port, a pipeline started through
 * the API runs on OpenAI's SDK against the fake server and its events are followed to the end; a
 * SIGTERM or SIGINT while a call is in flight stops the run as Ctrl-C stops `orch run` (interrupted,
 * every reservation closed) and `orch run --resume` finishes it without paying again for what was done.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from "../../src/fake-server/index.js";
import { runCliProcess } from "../support/cli.js";
import { databaseCounts, fakeServerKey, readEvents, request, startServeProcess, writeFakeServerProject, type SseEvent } from "./support.js";

const token = "serve-process-token-0123456789";
const authorized = { authorization: `Bearer ${token}` };

/** The prompt text of a recorded chat request. */
const promptOf = (recorded: RecordedRequest) => JSON.stringify((recorded.body as { messages?: unknown } | undefined)?.messages ?? "");
const chatRequests = (server: FakeLlmServer) => server.requests.filter((recorded) => recorded.path === "/v1/chat/completions");

describe("orch serve as a process", () => {
  let fake: FakeLlmServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    fake = await startFakeLlmServer();
    env = { FAKE_URL: fake.url, OPENAI_TEST_KEY: fakeServerKey, ORCH_SERVE_TOKEN: token };
  });
  after(async () => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.script("gpt-4o-mini", { responses: ["Changelog drafted", "Release"] });
  });

  it("runs a pipeline started through the API against the fake server, its events followed to run-end", async () => {
    const { directory, database } = writeFakeServerProject();
    const served = await startServeProcess(directory, env);
    try {
      const health = await request(served.url, "GET", "/api/health");
      assert.deepEqual([health.status, health.body.runsEnabled, health.body.database], [200, true, database]);

      const started = await request(served.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml", inputs: { topic: "the changelog" } }, headers: authorized });
      assert.equal(started.status, 202, started.text);
      const runId: string = started.body.runId;
      const stream = await readEvents(`${served.url}${started.body.links.events}`);
      const names = stream.events.map((event) => event.event);
      assert.equal(names[0], "run-start");
      assert.equal(names.at(-1), "run-end");
      assert.deepEqual(
        stream.events.filter((event) => event.event === "step-start" || event.event === "step-end").map((event) => `${event.event} ${event.data.step}${event.data.status ? ` ${event.data.status}` : ""}`),
        ["step-start draft", "step-end draft succeeded", "step-start title", "step-end title succeeded"],
      );
      assert.equal(stream.events.at(-1)!.data.status, "succeeded");

      // What went out: the rendered prompts, with the key, to the fake OpenAI API.
      const calls = chatRequests(fake);
      assert.equal(calls.length, 2);
      assert.match(promptOf(calls[0]!), /Draft the changelog in one line\./);
      assert.match(promptOf(calls[1]!), /Title for: Changelog drafted/);
      assert.equal(calls[0]!.headers.authorization, `Bearer ${fakeServerKey}`);

      // A token per word at $1/M in and $2/M out: draft 6 in + 2 out = $0.000010, title 4 in + 1 out = $0.000006.
      const run = await request(served.url, "GET", `/api/runs/${runId}`);
      assert.equal(run.body.status, "succeeded");
      assert.deepEqual(run.body.steps.map((step: { name: string; costUsd: number }) => [step.name, Math.round(step.costUsd * 1e9)]), [["draft", 10_000], ["title", 6_000]]);
      assert.deepEqual(databaseCounts(database), { runs: 1, calls: 2, reservations: 2, openReservations: 0, settledNano: 16_000 });
    } finally {
      served.child.kill("SIGTERM");
      await served.exited;
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal} with a call in flight: the run ends interrupted, nothing stays reserved, and --resume finishes it paying only for what was left`, async () => {
      const { directory, database } = writeFakeServerProject();
      const served = await startServeProcess(directory, env);
      // The title's call is held at the fake server: the signal comes while it is in flight.
      const titleHeld = fake.hold((recorded) => promptOf(recorded).includes("Title for:"));
      const started = await request(served.url, "POST", "/api/runs", { json: { pipeline: "notes.yaml", inputs: { topic: "the changelog" } }, headers: authorized });
      assert.equal(started.status, 202, started.text);
      const runId: string = started.body.runId;
      const following = readEvents(`${served.url}${started.body.links.events}`);
      await titleHeld.reached;

      served.child.kill(signal);
      const exit = await served.exited;
      titleHeld.release();
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stdout, /Ctrl-C stops it \(runs it started are interrupted, resumable with orch run --resume\)/);
      assert.doesNotMatch(exit.stderr, /\n\s+at /, "no stack trace");

      // The stream said how the run ended before the server went away.
      const stream = await following;
      const ends = stream.events.filter((event: SseEvent) => event.event === "step-end").map((event) => [event.data.step, event.data.status]);
      assert.deepEqual(ends[0], ["draft", "succeeded"]);
      assert.equal(stream.events.at(-1)!.event, "run-end");
      assert.equal(stream.events.at(-1)!.data.status, "interrupted");
      assert.equal(stream.events.at(-1)!.data.exitCode, 130);
      // Draft's call was paid; title's reservation was released, not left open.
      // Draft's call was paid; title's call is recorded as aborted at no cost and its reservation released, not left open.
      assert.deepEqual(databaseCounts(database), { runs: 1, calls: 2, reservations: 2, openReservations: 0, settledNano: 10_000 });

      // As a user would: in the project's folder, where the server kept its results.
      const resumed = await runCliProcess(["run", "--resume", runId, "--db", database, "--json"], { cwd: directory, env });
      assert.equal(resumed.code, 0, resumed.stderr);
      const calls = chatRequests(fake);
      // draft once, title held (abandoned), title again on resume: draft was not asked twice.
      assert.deepEqual(calls.map((recorded) => (promptOf(recorded).includes("Draft") ? "draft" : "title")), ["draft", "title", "title"]);
      // Paid in all: draft once ($0.000010) and title once ($0.000006).
      assert.deepEqual(databaseCounts(database), { runs: 1, calls: 3, reservations: 3, openReservations: 0, settledNano: 16_000 });
    });
  }
});
