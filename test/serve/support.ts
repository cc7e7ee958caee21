/**
 * Projects for `orch serve` tests (on the mock provider, or on OpenAI's SDK against the fake
 * server), the server started in-process or as a process on a free loopback port, an SSE reader,
 * and what the database holds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import Database from "better-sqlite3";
import { resolveProject } from "../../src/project/resolve-project.js";
import { startServer, type RunningServer } from "../../src/serve/server.js";
import { repositoryRoot, testOrchHome } from "../support/cli.js";
import { writeProject } from "../support/project.js";

export const servePolicy = (latencyMs: number) => `version: 1
providers:
  offline: { type: mock, latency_ms: ${latencyMs} }
models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
  dear: { model: "offline:dear", prices: { input: 10, output: 30 } }
tiers:
  economy: [cheap]
  standard: [cheap, dear]
  premium: [dear, cheap]
budget:
  daily_usd: 2
  monthly_usd: 40
`;

export const servePipeline = `version: 1
name: notes
policy: policy.yaml
inputs:
  topic: { default: "release notes" }
steps:
  draft:
    prompt: "Draft <%= it.inputs.topic %> in one line."
    max_tokens: 50
  title:
    needs: [draft]
    prompt: "Title for: <%= it.steps.draft.output %>"
    max_tokens: 50
`;

export interface ServeFixture {
  server: RunningServer;
  directory: string;
  database: string;
}

export async function startServeFixture(options: { token?: string; latencyMs?: number } = {}): Promise<ServeFixture> {
  const directory = writeProject({ "policy.yaml": servePolicy(options.latencyMs ?? 0), "notes.yaml": servePipeline });
  const env: NodeJS.ProcessEnv = { ORCH_HOME: path.join(directory, ".orch-home"), ORCH_POLICY: path.join(directory, "policy.yaml") };
  const project = await resolveProject(env, directory);
  const database = path.join(directory, "orch.db");
  const server = await startServer({ project, env, databaseFile: database, port: 0, ...(options.token === undefined ? {} : { token: options.token }) });
  return { server, directory, database };
}

export interface JsonAnswer {
  status: number;
  body: any;
}

export async function request(base: string, method: string, pathname: string, options: { json?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<JsonAnswer & { text: string; type: string }> {
  const headers: Record<string, string> = { ...(options.json === undefined ? {} : { "content-type": "application/json" }), ...options.headers };
  const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const response = await fetch(`${base}${pathname}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, text, type, body: type.startsWith("application/json") ? JSON.parse(text) : undefined };
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Reads a Server-Sent Events stream until the server ends it. */
export function readEvents(url: string, onEvent: (event: SseEvent) => void = () => undefined): Promise<{ status: number; type: string; events: SseEvent[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        const events: SseEvent[] = [];
        let buffer = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (name === undefined || data === undefined) continue;
            const event = { event: name, data: JSON.parse(data) };
            events.push(event);
            onEvent(event);
          }
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, type: String(response.headers["content-type"]), events }));
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

/**
 * OpenAI's SDK against the fake server (FAKE_URL, OPENAI_TEST_KEY from the environment), one
 * model at $1 / $2 per million tokens: the fake counts a token per word, so costs are worked out by hand.
 */
export const fakeServerPolicy = `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  cheap: { model: "openai:gpt-4o-mini", prices: { input: 1, output: 2 } }
tiers: { economy: [cheap], standard: [cheap], premium: [cheap] }
budget:
  daily_usd: 2
  monthly_usd: 40
`;

export const fakeServerKey = "sk-serve-test-0123456789";

/** A project whose pipelines run on the fake server: notes.yaml (draft → title) and policy.yaml. */
export function writeFakeServerProject(extraFiles: Record<string, string> = {}): { directory: string; database: string } {
  const directory = writeProject({ "policy.yaml": fakeServerPolicy, "notes.yaml": servePipeline, ...extraFiles });
  return { directory, database: path.join(directory, "orch.db") };
}

/** `orch serve` in this process over a fake-server project (FAKE_URL and the key in its environment). */
export async function startFakeServeFixture(fakeUrl: string, options: { token?: string; files?: Record<string, string> } = {}): Promise<ServeFixture> {
  const { directory, database } = writeFakeServerProject(options.files);
  const env: NodeJS.ProcessEnv = { ORCH_HOME: path.join(directory, ".orch-home"), ORCH_POLICY: path.join(directory, "policy.yaml"), FAKE_URL: fakeUrl, OPENAI_TEST_KEY: fakeServerKey };
  const project = await resolveProject(env, directory);
  const server = await startServer({ project, env, databaseFile: database, port: 0, ...(options.token === undefined ? {} : { token: options.token }) });
  return { server, directory, database };
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited, with everything it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Absolute, so the child process finds tsx whatever its working directory. */
const tsxLoader = import.meta.resolve("tsx");

/**
 * `orch serve --port 0` as a process (from the sources, as test/support/cli.ts runs the CLI), its
 * URL read from the line it prints once it listens.
 */
export function startServeProcess(directory: string, env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<ServeProcess> {
  const args = ["--import", tsxLoader, path.join(repositoryRoot, "test/support/cli-entry.ts"), "serve", "--port", "0", "--project", directory, "--db", path.join(directory, "orch.db"), ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: directory, env: { PATH: process.env.PATH, HOME: process.env.HOME, ORCH_HOME: testOrchHome, CI: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /dashboard and API on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve({ url, child, exited });
    });
    child.on("error", reject);
    void exited.then(({ code, signal }) => reject(new Error(`orch serve exited (${code ?? signal}) before listening:\n${stdout}${stderr}`)));
  });
}

export interface DatabaseCounts {
  runs: number;
  calls: number;
  reservations: number;
  openReservations: number;
  /** Money settled, in nano-dollars. */
  settledNano: number;
}

/** What a run leaves behind, read straight from the SQLite file: anything non-zero means something was started or money was reserved. */
export function databaseCounts(databaseFile: string): DatabaseCounts {
  const database = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string) => (database.prepare(sql).get() as { count: number }).count;
    return {
      runs: count("SELECT COUNT(*) AS count FROM runs"),
      calls: count("SELECT COUNT(*) AS count FROM llm_calls"),
      reservations: count("SELECT COUNT(*) AS count FROM budget_reservations"),
      openReservations: count("SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved'"),
      settledNano: count("SELECT COALESCE(SUM(settled_nano_usd), 0) AS count FROM budget_reservations"),
    };
  } finally {
    database.close();
  }
}
