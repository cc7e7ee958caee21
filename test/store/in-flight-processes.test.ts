/**
 * Single flight across processes on one SQLite file (the embedded store's counterpart of
 * postgres/in-flight.test.ts): real processes, each with its own connection, race for one key;
 * exactly one wins, and every other one, waiting, is served the winner's answer once it releases,
 * so the call is paid once. A holder killed mid-call frees the key at its claim's expiry.
 */
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { InFlightClaim } from "../../src/contracts/in-flight-store.js";
import { openDatabase } from "../../src/store/database.js";
import { temporaryDirectory } from "../support/cli.js";
import { at } from "./contract/support/fixtures.js";
import type { WorkerCommand, WorkerReply } from "./support/in-flight-worker.js";

const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/in-flight-worker.ts");
const tsxLoader = import.meta.resolve("tsx");

type Command = WorkerCommand extends infer Each ? (Each extends WorkerCommand ? Omit<Each, "id"> : never) : never;

interface Worker {
  child: ChildProcess;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
  ask(command: Command): Promise<unknown>;
  /** A wait: `started` once the worker saw the claim in flight (before any release the test makes), `outcome` when it ended. */
  wait(command: Extract<Command, { op: "await" }>): { started: Promise<void>; outcome: Promise<unknown> };
}

let nextCommandId = 0;

async function startWorker(file: string): Promise<Worker> {
  const child = fork(workerFile, [file], { execArgv: ["--import", tsxLoader], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const replies = new Map<number, { started?: () => void; settle: (reply: WorkerReply) => void }>();
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (reply: WorkerReply) => {
      if (reply.type === "ready") return resolve();
      const waiting = replies.get(reply.id);
      if (reply.type === "started") return waiting?.started?.();
      replies.delete(reply.id);
      waiting?.settle(reply);
    });
    void exit.then(([code, signal]) => reject(new Error(`the worker exited (${code ?? signal}) before it was ready`)));
  });
  const send = (command: Command, started?: () => void) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextCommandId;
      replies.set(id, { ...(started ? { started } : {}), settle: (reply) => (reply.type === "result" ? resolve(reply.result) : reject(new Error(reply.type === "error" ? reply.message : reply.type))) });
      child.send({ ...command, id });
    });
  await ready;
  return {
    child,
    exit,
    ask: (command) => send(command),
    wait(command) {
      let started!: () => void;
      const seenInFlight = new Promise<void>((resolve) => (started = resolve));
      const outcome = send(command, started);
      // A wait that ended at its first read never says "started": its outcome ends `started` too, and the test's assertions on it tell.
      return { started: Promise.race([seenInFlight, outcome.then(() => {})]), outcome };
    },
  };
}

describe("single flight across processes sharing one SQLite file", () => {
  let file = "";
  const workers: Worker[] = [];
  before(() => {
    file = path.join(temporaryDirectory("orch-in-flight-"), "orch.db");
    openDatabase(file).close(); // migrated once, so the processes race for the key, not for the schema
  });
  after(async () => {
    for (const worker of workers) if (worker.child.connected) worker.child.disconnect();
    await Promise.all(workers.map((worker) => worker.exit));
  });

  it("gives the key to exactly one of eight processes claiming at once; the seven others wait and are served its answer: paid once", { timeout: 60_000 }, async () => {
    const racers = await Promise.all(Array.from({ length: 8 }, () => startWorker(file)));
    workers.push(...racers);
    const claim = (index: number): InFlightClaim => ({ cacheKey: "key-a", holder: `process-${index}`, claimedAt: at(0), expiresAt: at(5) });
    const outcomes = await Promise.all(racers.map((worker, index) => worker.ask({ op: "claim", claim: claim(index) })));

    const winners = outcomes.flatMap((outcome, index) => ((outcome as { kind: string }).kind === "claimed" ? [index] : []));
    assert.equal(winners.length, 1, `exactly one claimed: ${JSON.stringify(outcomes)}`);
    const holder = `process-${winners[0]}`;
    for (const [index, outcome] of outcomes.entries()) if (index !== winners[0]) assert.deepEqual(outcome, { kind: "held", holder, expiresAt: at(5) });

    const waiters = racers.filter((_, index) => index !== winners[0]);
    const waits = waiters.map((worker) => worker.wait({ op: "await", cacheKey: "key-a", holder, timeoutMs: 30_000, nowIso: at(1) }));
    await Promise.all(waits.map((wait) => wait.started));
    const winner = racers[winners[0]!]!;
    assert.equal(await winner.ask({ op: "keep-answer", cacheKey: "key-a", runId: "run-1", answer: "paid once", createdAt: at(2) }), 1, "the file's first entry");
    assert.equal(await winner.ask({ op: "release", cacheKey: "key-a", holder, entryId: 1, at: at(2) }), true);

    const served = {
      kind: "answered",
      answer: { id: 1, cacheKey: "key-a", runId: "run-1", step: "draft", itemIndex: null, provider: "openai", model: "mini", answer: "paid once", inputTokens: 100, outputTokens: 20, costUsd: 0.25, state: "pending", createdAt: at(2) },
    };
    assert.deepEqual(await Promise.all(waits.map((wait) => wait.outcome)), Array.from({ length: 7 }, () => served));

    const database = openDatabase(file);
    try {
      assert.equal((database.prepare(`SELECT COUNT(*) AS entries FROM cached_answers`).get() as { entries: number }).entries, 1, "paid once");
      assert.deepEqual(database.prepare(`SELECT holder, state, entry_id AS entryId, released_at AS releasedAt FROM in_flight_calls`).all(), [
        { holder, state: "answered", entryId: 1, releasedAt: at(2) },
      ]);
    } finally {
      database.close();
    }
  });

  it("frees the key of a holder killed mid-call once its claim expires, and a waiter in another process takes it", { timeout: 60_000 }, async () => {
    const [doomed, survivor] = await Promise.all([startWorker(file), startWorker(file)]);
    workers.push(doomed!, survivor!);
    const expiresAt = new Date(Date.now() + 2_000).toISOString();
    assert.deepEqual(await doomed!.ask({ op: "claim", claim: { cacheKey: "key-b", holder: "doomed", claimedAt: new Date().toISOString(), expiresAt } }), { kind: "claimed" });
    const wait = survivor!.wait({ op: "await", cacheKey: "key-b", holder: "doomed", timeoutMs: 30_000 });
    await wait.started;
    doomed!.child.kill("SIGKILL");
    assert.deepEqual((await doomed!.exit)[1], "SIGKILL");

    assert.deepEqual(await wait.outcome, { kind: "free" });
    assert.ok(new Date().toISOString() >= expiresAt, "not freed before the claim's expiry");
    const claimedAt = new Date();
    const claim = { cacheKey: "key-b", holder: "survivor", claimedAt: claimedAt.toISOString(), expiresAt: new Date(claimedAt.getTime() + 60_000).toISOString() };
    assert.deepEqual(await survivor!.ask({ op: "claim", claim }), { kind: "claimed" });
  });
});
