/**
 * `orch run` with an OTLP endpoint: one trace per run, run → step → attempt spans with the GenAI
 * semantic conventions and orch's own attributes, as a loopback collector decodes them. The run
 * goes against the fake server (one token per word, $1 and $2 per million tokens), so every
 * figure below is worked out by hand.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runPipelineFile } from "../../src/library/pipeline-file.js";
import { runCliInProcess, runCliProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { runPaths } from "../executor/support/run-project.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";

const key = "sk-test-otel-0123456789abcdef";

const policy = `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  cheap: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }
tiers: { economy: [cheap], standard: [cheap], premium: [cheap] }
`;

const pipeline = `version: 1
name: notes
policy: policy.yaml
steps:
  summary:
    prompt: "Summarise the secret plan in one line."
    max_tokens: 100
    temperature: 0.2
    retries: 1
    output:
      file: out/summary.txt
      validate: ['grep -q OK "$ORCH_FILE"']
  title:
    needs: [summary]
    prompt: "Title for: <%= it.steps.summary.output %>"
    max_tokens: 50
`;

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);
const close = (actual: unknown, expected: number) => assert.ok(typeof actual === "number" && Math.abs(actual - expected) < 1e-12, `${String(actual)} ≈ ${expected}`);

describe("traces: orch run → OTLP/HTTP", () => {
  let server: FakeLlmServer;
  let receiver: OtlpReceiver;
  before(async () => {
    server = await startFakeLlmServer();
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    receiver.spans.length = 0;
    receiver.bodies.length = 0;
  });

  const run = (directory: string, env: NodeJS.ProcessEnv = {}) =>
    runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)], {
      OPENAI_TEST_KEY: key,
      FAKE_URL: server.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      ...env,
    });

  it("exports one trace: run → steps → attempts, with gen_ai.* and orch.* attributes, and no prompt or answer", async () => {
    server.script("gpt-4o-mini", { responses: ["not yet", "OK shipped", "Shipped"] });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const result = await run(directory, { OTEL_SERVICE_NAME: "orch-test" });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "", "no warning when the collector took everything");

    const spans = receiver.spans;
    assert.equal(spans.length, 6, spans.map((span) => span.name).join(", "));
    assert.equal(new Set(spans.map((span) => span.traceId)).size, 1, "one trace");
    const [runSpan] = byName(spans, "run notes");
    assert.ok(runSpan);
    assert.equal(runSpan.parentSpanId, undefined, "the run span is the root");
    assert.equal(runSpan.resource["service.name"], "orch-test");
    const summary = byName(spans, "step summary")[0]!;
    const title = byName(spans, "step title")[0]!;
    assert.equal(summary.parentSpanId, runSpan.spanId);
    assert.equal(title.parentSpanId, runSpan.spanId);
    const calls = byName(spans, "chat gpt-4o-mini");
    assert.equal(calls.length, 3);
    const [first, second] = calls.filter((span) => span.parentSpanId === summary.spanId).sort((a, b) => Number(a.attributes["orch.attempt"]) - Number(b.attributes["orch.attempt"]));
    const titleCall = calls.find((span) => span.parentSpanId === title.spanId)!;
    assert.ok(first && second && titleCall);

    // GenAI semantic conventions on a call: a client span.
    assert.equal(first.kind, 3, "SPAN_KIND_CLIENT");
    // The route as the step's result file records it: why the model was chosen.
    const { route } = JSON.parse(readFileSync(path.join(resultsFolder(directory), "summary.json"), "utf8")) as { route: { matched: string; notes: { reference: string; reason: string }[] } };
    const { runId } = JSON.parse(readFileSync(path.join(resultsFolder(directory), "run.json"), "utf8")) as { runId: string };
    assert.deepEqual(
      { ...first.attributes, "orch.reserved_usd": typeof first.attributes["orch.reserved_usd"] },
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini",
        "gen_ai.request.max_tokens": 100,
        "gen_ai.request.temperature": 0.2,
        // "Summarise the secret plan in one line." is 7 words; "not yet" 2.
        "gen_ai.usage.input_tokens": 7,
        "gen_ai.usage.output_tokens": 2,
        "gen_ai.response.finish_reasons": ["stop"],
        "orch.step": "summary",
        "orch.attempt": 1,
        "orch.provider": "openai",
        "orch.model.reference": "cheap",
        "orch.cost_usd": 0.000011,
        "orch.cache.hit": false,
        "orch.synthetic": false,
        "orch.reserved_usd": "number",
        "orch.route.rule": route.matched,
        "orch.route.reason": route.notes.find((note) => note.reference === "cheap")!.reason,
        "orch.answer.rejected": true,
      },
    );
    assert.equal(second.attributes["orch.answer.rejected"], undefined, "the second answer passed");
    assert.equal(second.attributes["gen_ai.usage.output_tokens"], 2);
    assert.equal(titleCall.attributes["gen_ai.request.max_tokens"], 50);
    assert.equal(titleCall.attributes["gen_ai.request.temperature"], undefined, "not set by the step, not sent");
    // "Title for: OK shipped" is 4 words; "Shipped" 1: 4 × $1/M + 1 × $2/M.
    close(titleCall.attributes["orch.cost_usd"], 0.000006);
    assert.ok(first.startMs >= summary.startMs && second.endMs <= summary.endMs, "attempts sit inside their step");

    // The step and the run.
    assert.equal(summary.attributes["orch.step.status"], "succeeded");
    assert.equal(summary.attributes["orch.step.attempts"], 2);
    close(summary.attributes["orch.cost_usd"], 0.000022);
    assert.equal(runSpan.attributes["orch.run.id"], runId);
    assert.equal(runSpan.attributes["orch.run.status"], "succeeded");
    assert.equal(runSpan.attributes["orch.calls"], 3);
    close(runSpan.attributes["orch.cost_usd"], 0.000028);
    assert.equal(runSpan.attributes["orch.budget.overruns"], 0);

    // Never the prompt, the answers or the key.
    const sent = receiver.bodies.join("\n");
    for (const text of ["secret plan", "shipped", "not yet", key]) assert.ok(!sent.includes(text), `"${text}" is not in any span`);
  });

  it("a cache hit is an internal span marked orch.cache.hit, with what it saved and no usage", async () => {
    server.script("gpt-4o-mini", { responses: ["OK shipped", "Shipped"] });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    assert.equal((await run(directory)).code, 0);
    receiver.spans.length = 0;
    const again = await run(directory);
    assert.equal(again.code, 0, again.stderr);
    const hit = receiver.spans.find((span) => span.name === "chat gpt-4o-mini" && span.attributes["orch.step"] === "summary")!;
    assert.equal(hit.kind, 1, "SPAN_KIND_INTERNAL: nobody was called");
    assert.equal(hit.attributes["orch.cache.hit"], true);
    close(hit.attributes["orch.cache.saved_usd"], 0.000011);
    assert.equal(hit.attributes["orch.cost_usd"], 0);
    assert.equal(hit.attributes["gen_ai.usage.input_tokens"], undefined);
    assert.equal(hit.attributes["gen_ai.response.model"], undefined);
  });

  it("a failed call is an error span with error.type; orch.config.yaml's endpoint serves when the environment names none", async () => {
    server.script("gpt-4o-mini", { faults: [{ type: "unauthorized" }] });
    const directory = writeProject({
      "pipeline.yaml": pipeline,
      "policy.yaml": policy,
      "orch.config.yaml": `version: 1\ntelemetry:\n  endpoint: ${receiver.url}\n  service_name: from-settings\n`,
    });
    // A child process started in the project, so orch.config.yaml is found as a user's would be.
    const result = await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory)], { cwd: directory, env: { OPENAI_TEST_KEY: key, FAKE_URL: server.url } });
    assert.equal(result.code, 1, result.stderr);
    const failed = receiver.spans.find((span) => span.name === "chat gpt-4o-mini")!;
    assert.ok(failed, receiver.spans.map((span) => span.name).join(", "));
    assert.equal(failed.resource["service.name"], "from-settings");
    assert.equal(failed.status.code, 2, "STATUS_CODE_ERROR");
    assert.equal(failed.attributes["error.type"], "auth");
    assert.equal(failed.attributes["gen_ai.response.model"], undefined, "no answer, no response model");
    const step = byName(receiver.spans, "step summary")[0]!;
    assert.equal(step.status.code, 2);
    assert.equal(step.attributes["orch.step.status"], "failed");
    assert.equal(byName(receiver.spans, "step title")[0]!.attributes["orch.step.status"], "skipped");
    const runSpan = byName(receiver.spans, "run notes")[0]!;
    assert.equal(runSpan.status.code, 2);
    assert.equal(runSpan.attributes["orch.run.exit_code"], 1);
  });

  it("runPipelineFile (orch as a library) sends the same trace", async () => {
    server.script("gpt-4o-mini", { responses: ["OK shipped", "Shipped"] });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const outcome = await runPipelineFile(path.join(directory, "pipeline.yaml"), {
      env: { OPENAI_TEST_KEY: key, FAKE_URL: server.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      databaseFile: path.join(directory, "state/orch.db"),
      resultsDirectory: path.join(directory, "results"),
      workingDirectory: directory,
    });
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(receiver.spans.map((span) => span.name).sort(), ["chat gpt-4o-mini", "chat gpt-4o-mini", "run notes", "step summary", "step title"]);
  });

  it("OTEL_SDK_DISABLED=true sends nothing, and `telemetry.enabled: false` wins over the environment", async () => {
    server.script("gpt-4o-mini", { responses: ["OK shipped", "Shipped"] });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const before = receiver.requests;
    assert.equal((await run(directory, { OTEL_SDK_DISABLED: "true" })).code, 0);
    assert.equal(receiver.requests, before);
    writeFileSync(path.join(directory, "orch.config.yaml"), "version: 1\ntelemetry:\n  enabled: false\n");
    const result = await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory)], {
      cwd: directory,
      env: { OPENAI_TEST_KEY: key, FAKE_URL: server.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(receiver.requests, before);
  });
});

/** The newest run's result folder (`latest` points at it). */
function resultsFolder(directory: string): string {
  return path.join(directory, "results", "latest");
}
