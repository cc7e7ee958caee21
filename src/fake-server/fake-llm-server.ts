/**
 * A wire-compatible fake of the OpenAI, OpenRouter, Anthropic, Gemini and Ollama HTTP APIs on
 * 127.0.0.1, for tests and offline CI. The real SDKs are pointed at `url`; nothing in orch knows
 * it is a fake. Every request is recorded (headers included) so tests can check what was sent.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ModelScripts, type FakeModelBehaviour } from "./behaviour.js";
import { readBody, sendJson } from "./http-exchange.js";
import { anthropicRoute } from "./routes/anthropic-routes.js";
import { anthropicBatchRoute, openAiBatchRoute } from "./routes/batch-routes.js";
import { geminiBatchRoute } from "./routes/gemini-batch-routes.js";
import { geminiRoute } from "./routes/gemini-routes.js";
import { normaliseOllamaModel, ollamaRoute } from "./routes/ollama-routes.js";
import { openAiRoute, openRouterRoute } from "./routes/openai-routes.js";
import type { Exchange, Route } from "./routes/route.js";

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`. */
  path: string;
  /** Every header as received (lower-case names), auth headers included, so tests can check them. */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  receivedAt: number;
}

/**
 * The next request a predicate matches, held before it is answered until the test releases it:
 * how a test makes a call take exactly as long as it needs to look at what happens meanwhile,
 * without guessing a delay. A held request whose client goes away is not answered at all.
 */
export interface FakeHold {
  /** Resolves with the request once it has arrived and is being held. */
  readonly reached: Promise<RecordedRequest>;
  /** Lets the held request (or, when none has arrived yet, the next matching one) be answered. */
  release(): void;
}

export interface FakeLlmServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Behaviours by model name; `*` applies to every model without its own. */
  models?: Record<string, FakeModelBehaviour>;
  /** Models the fake Ollama has already pulled. */
  ollamaModels?: string[];
}

export interface FakeLlmServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests being answered right now, and the most at once since start or reset. */
  readonly inFlight: number;
  readonly peakInFlight: number;
  script(model: string, behaviour: FakeModelBehaviour): void;
  /** Holds the next request `matches` accepts (after recording it) until `release()`; holds are matched in the order they were made, each once. */
  hold(matches: (request: RecordedRequest) => boolean): FakeHold;
  setOllamaModels(models: string[]): void;
  /** Forgets scripts, recorded requests, the peak, pulled models (back to the options' list) and releases every hold. */
  reset(): void;
  close(): Promise<void>;
}

interface PendingHold {
  matches: (request: RecordedRequest) => boolean;
  arrived: (request: RecordedRequest) => void;
  released: Promise<void>;
  release: () => void;
}

function createHold(matches: (request: RecordedRequest) => boolean): { pending: PendingHold; hold: FakeHold } {
  let arrived!: (request: RecordedRequest) => void;
  let release!: () => void;
  const reached = new Promise<RecordedRequest>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { pending: { matches, arrived, released, release }, hold: { reached, release } };
}

/** Waits for the hold's release, or for the client to leave (then false: nothing is to be answered). */
function waitForRelease(hold: PendingHold, response: ServerResponse): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    response.once("close", onClose);
    void hold.released.then(() => {
      response.off("close", onClose);
      resolve(!response.destroyed);
    });
  });
}

const routes: Route[] = [openAiBatchRoute, anthropicBatchRoute, geminiBatchRoute, openAiRoute, openRouterRoute, anthropicRoute, geminiRoute, ollamaRoute];

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  const scripts = new ModelScripts();
  const requests: RecordedRequest[] = [];
  const initialOllamaModels = (options.ollamaModels ?? []).map(normaliseOllamaModel);
  const ollamaModels = new Set(initialOllamaModels);
  let inFlight = 0;
  let peakInFlight = 0;
  const holds: PendingHold[] = [];
  for (const [model, behaviour] of Object.entries(options.models ?? {})) scripts.script(model, behaviour);

  const server = createServer((request, response) => {
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.once("close", () => {
      inFlight -= 1;
    });
    void (async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const body = await readBody(request);
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: `${url.pathname}${url.search}`,
        headers: flattenHeaders(request.headers),
        body: body.isValidJson ? body.json : body.text === "" ? undefined : body.text,
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      const holdIndex = holds.findIndex((hold) => hold.matches(recorded));
      if (holdIndex >= 0) {
        const [hold] = holds.splice(holdIndex, 1);
        hold!.arrived(recorded);
        if (!(await waitForRelease(hold!, response))) return;
      }
      const exchange: Exchange = { request, response, method: request.method ?? "GET", url, body, scripts, ollamaModels };
      for (const route of routes) {
        if (await route(exchange)) return;
      }
      sendJson(response, 404, { error: { message: `The fake LLM server has no route for ${exchange.method} ${url.pathname}` } });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: `fake server failure: ${String(error)}` } });
      else response.destroy();
    });
  });

  const address = await listen(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    script: (model, behaviour) => scripts.script(model, behaviour),
    hold(matches) {
      const { pending, hold } = createHold(matches);
      holds.push(pending);
      return hold;
    },
    setOllamaModels(models) {
      ollamaModels.clear();
      for (const model of models) ollamaModels.add(normaliseOllamaModel(model));
    },
    reset() {
      scripts.reset();
      for (const hold of holds.splice(0)) hold.release();
      requests.length = 0;
      peakInFlight = inFlight;
      ollamaModels.clear();
      for (const model of initialOllamaModels) ollamaModels.add(model);
    },
    close() {
      // Hanging requests would keep close() waiting forever; cut them.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
