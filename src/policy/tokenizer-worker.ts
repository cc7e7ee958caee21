/**
 * The o200k tokenizer, loaded on a worker thread while the main thread reads and checks the
 * configuration, and asked synchronously: the main thread posts the text, wakes the worker through
 * a shared counter (`Atomics`) and blocks until the count is back. Loading the rank table takes a
 * quarter of a second of one core; on the worker it overlaps with start-up instead of delaying the
 * first step (and `orch plan`), and the counts are the same tokenizer's, so no decision changes.
 *
 * Not a pool and not async on purpose: routing is synchronous, and one request in flight (the main
 * thread waits for its answer) keeps the protocol to two counters.
 */
import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** Slots of the shared counters: how many requests were posted, and how many were answered. */
const posted = 0;
const answered = 1;

// Plain CommonJS so the worker needs no TypeScript loader; the module path comes from the main thread.
const workerSource = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { port, counters, modulePath } = workerData;
const state = new Int32Array(counters);
let tokenizer;
let failure;
try {
  tokenizer = require(modulePath);
} catch (error) {
  failure = String(error && error.message || error);
}
const options = { disallowedSpecial: new Set() };
let seen = 0;
for (;;) {
  Atomics.wait(state, ${posted}, seen);
  seen = Atomics.load(state, ${posted});
  const request = receiveMessageOnPort(port);
  let answer;
  try {
    answer = failure === undefined ? { count: tokenizer.countTokens(request.message, options) } : { error: failure };
  } catch (error) {
    answer = { error: String(error && error.message || error) };
  }
  port.postMessage(answer);
  Atomics.store(state, ${answered}, seen);
  Atomics.notify(state, ${answered});
}
`;

export interface TokenizerWorker {
  /** The number of o200k tokens of `text` (special-token markers as plain text); waits for the worker to be ready. */
  count(text: string): number;
  close(): void;
}

export function startTokenizerWorker(modulePath: string): TokenizerWorker {
  const counters = new SharedArrayBuffer(8);
  const state = new Int32Array(counters);
  const { port1, port2 } = new MessageChannel();
  // No execArgv: the worker runs plain CommonJS and must not load the parent's loaders (tsx in tests).
  const worker = new Worker(workerSource, { eval: true, execArgv: [], workerData: { port: port2, counters, modulePath }, transferList: [port2] });
  // Never keeps the process alive: an exiting CLI just ends it.
  worker.unref();
  port1.unref();
  let requests = 0;
  return {
    count(text) {
      port1.postMessage(text);
      requests++;
      Atomics.store(state, posted, requests);
      Atomics.notify(state, posted);
      while (Atomics.load(state, answered) !== requests) Atomics.wait(state, answered, Atomics.load(state, answered));
      const reply = receiveMessageOnPort(port1 as MessagePort)?.message as { count?: number; error?: string } | undefined;
      if (reply?.count === undefined) throw new Error(`the tokenizer worker failed: ${reply?.error ?? "no answer"}`);
      return reply.count;
    },
    close() {
      void worker.terminate();
    },
  };
}

/** Where the o200k encoding's CommonJS build is, for a worker (or the main thread) to require. */
export function tokenizerModulePath(): string {
  return createRequire(import.meta.url).resolve("gpt-tokenizer/cjs/encoding/o200k_base");
}
