/**
 * Starts the fake LLM server from a JSON script, for `orch fake-server` and offline CI:
 *
 *   { "port": 8788, "ollamaModels": ["llama3.2"],
 *     "models": { "gpt-4o-mini": { "responses": ["..."], "faults": [{ "type": "rate_limit", "retryAfterSeconds": 1 }] } } }
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { OrchError, exitCodes } from "../errors/orch-error.js";
import type { FakeModelBehaviour } from "./behaviour.js";
import { startFakeLlmServer, type FakeLlmServer } from "./fake-llm-server.js";

export interface FakeServerScript {
  port?: number;
  models?: Record<string, FakeModelBehaviour>;
  ollamaModels?: string[];
}

export interface RunFakeServerOptions {
  scriptPath?: string;
  /** Overrides the script's port. */
  port?: number;
  /** Where the start-up lines go (default: stdout). */
  write?: (line: string) => void;
}

function scriptError(scriptPath: string, problem: string): OrchError {
  return new OrchError({
    message: `${scriptPath}: ${problem}`,
    exitCode: exitCodes.invalidConfigOrUsage,
    hint: 'A fake-server script is JSON like {"models": {"gpt-4o-mini": {"responses": ["hello"]}}, "ollamaModels": ["llama3.2"]}.',
  });
}

export async function readFakeServerScript(scriptPath: string): Promise<FakeServerScript> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(scriptPath, "utf8"));
  } catch (error) {
    throw scriptError(scriptPath, `cannot read the script (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw scriptError(scriptPath, "the script must be a JSON object");
  const script = parsed as Record<string, unknown>;
  if (script["models"] !== undefined && (typeof script["models"] !== "object" || script["models"] === null)) {
    throw scriptError(scriptPath, "`models` must be an object of behaviours by model name");
  }
  if (script["ollamaModels"] !== undefined && !Array.isArray(script["ollamaModels"])) {
    throw scriptError(scriptPath, "`ollamaModels` must be a list of model names");
  }
  if (script["port"] !== undefined && !Number.isInteger(script["port"])) throw scriptError(scriptPath, "`port` must be an integer");
  return script as FakeServerScript;
}

export async function runFakeServer(options: RunFakeServerOptions = {}): Promise<FakeLlmServer> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const script = options.scriptPath === undefined ? {} : await readFakeServerScript(options.scriptPath);
  const port = options.port ?? script.port ?? 0;
  const server = await startFakeLlmServer({
    port,
    ...(script.models === undefined ? {} : { models: script.models }),
    ...(script.ollamaModels === undefined ? {} : { ollamaModels: script.ollamaModels }),
  });
  write(`fake LLM server listening on ${server.url}`);
  write(`  openai     base_url: ${server.url}/v1`);
  write(`  openrouter base_url: ${server.url}/api/v1`);
  write(`  anthropic  base_url: ${server.url}`);
  write(`  gemini     base_url: ${server.url}`);
  write(`  ollama     host:     ${server.url}`);
  return server;
}

// Run directly: `node --import tsx src/fake-server/main.ts [script.json]`; Ctrl-C stops it.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await runFakeServer(process.argv[2] === undefined ? {} : { scriptPath: process.argv[2] });
  process.once("SIGINT", () => void server.close().then(() => process.exit(0)));
}
