/** A project on the mock provider, `orch serve` started on a free loopback port, and an SSE reader. */
import http from "node:http";
import path from "node:path";
import { resolveProject } from "../../src/project/resolve-project.js";
import { startServer, type RunningServer } from "../../src/serve/server.js";
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
