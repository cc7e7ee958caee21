/**
 * A collector that is down never fails or holds up a run: with nothing listening on the endpoint,
 * and with a collector that takes the request and never answers, `orch run` exits 0, says so in
 * one warning line, and is gone within the flush bound after its run ends. Child processes, so
 * what is measured is the whole process, lingering sockets and timers included.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { repositoryRoot, testOrchHome } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { runPaths } from "../executor/support/run-project.js";
import { closedLoopbackPort, startOtlpReceiver, type OtlpReceiver } from "./support/otlp-receiver.js";

const tsxLoader = import.meta.resolve("tsx");

const project = {
  "policy.yaml": `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  cheap: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }
tiers: { economy: [cheap], standard: [cheap], premium: [cheap] }
`,
  "pipeline.yaml": `version: 1
name: notes
policy: policy.yaml
steps:
  summary: { prompt: "Summarise the plan.", max_tokens: 50 }
  title: { needs: [summary], prompt: "Title for: <%= it.steps.summary.output %>", max_tokens: 20 }
`,
};

/** The run's process, and how long it lived after printing its run-end event. */
function runTimed(directory: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; afterRunEndMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, path.join(repositoryRoot, "test/support/cli-entry.ts"), "run", "pipeline.yaml", "--json", ...runPaths(directory)], {
      cwd: directory,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ORCH_HOME: testOrchHome, CI: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let runEndAt: number | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (runEndAt === undefined && stdout.includes(`"type":"run-end"`)) runEndAt = performance.now();
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (runEndAt === undefined) reject(new Error(`no run-end event:\n${stdout}\n${stderr}`));
      else resolve({ code, stderr, afterRunEndMs: performance.now() - runEndAt });
    });
  });
}

describe("traces: a collector that is down", () => {
  let server: FakeLlmServer;
  let silent: OtlpReceiver;
  before(async () => {
    server = await startFakeLlmServer();
    silent = await startOtlpReceiver({ silent: true });
  });
  after(async () => {
    await silent.close();
    await server.close();
  });

  // The documented 2 s flush bound, plus the process's own exit under load; far below the
  // exporter's default 10 s timeout, which is what an unbounded flush would wait.
  const bound = 4_500;

  it("nothing listening on the port: exit 0, one warning line, gone within the bound", async (t) => {
    const port = await closedLoopbackPort();
    const directory = writeProject(project);
    const result = await runTimed(directory, { OPENAI_TEST_KEY: "sk-test-dead-0123456789", FAKE_URL: server.url, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stderr.split("\n").filter((line) => line.includes("traces"));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0]!, new RegExp(`^warning: traces: .*http://127\\.0\\.0\\.1:${port}/v1/traces`));
    t.diagnostic(`${Math.round(result.afterRunEndMs)} ms after run-end`);
    assert.ok(result.afterRunEndMs < bound, `${Math.round(result.afterRunEndMs)} ms after run-end`);
  });

  it("a collector that never answers: exit 0, one warning line, gone within the bound", async (t) => {
    const directory = writeProject(project);
    const requestsBefore = silent.requests;
    const result = await runTimed(directory, { OPENAI_TEST_KEY: "sk-test-dead-0123456789", FAKE_URL: server.url, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${silent.url}/v1/traces` });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(silent.requests > requestsBefore, "the spans were offered to the collector");
    const warnings = result.stderr.split("\n").filter((line) => line.includes("traces"));
    assert.equal(warnings.length, 1, result.stderr);
    t.diagnostic(`${Math.round(result.afterRunEndMs)} ms after run-end`);
    assert.ok(result.afterRunEndMs < bound, `${Math.round(result.afterRunEndMs)} ms after run-end`);
  });

  it("an endpoint that is no URL: the run goes on, one warning line says which variable", async () => {
    const directory = writeProject(project);
    const result = await runTimed(directory, { OPENAI_TEST_KEY: "sk-test-dead-0123456789", FAKE_URL: server.url, OTEL_EXPORTER_OTLP_ENDPOINT: "localhost:4318" });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warning: traces: OTEL_EXPORTER_OTLP_ENDPOINT is not an http\(s\) URL \(like http:\/\/localhost:4318\); no traces were exported$/m);
  });
});
