/**
 * One orch process sharing a SQLite file, for the single-flight processes test: it opens the file
 * (already migrated by the test), says "ready", then carries out the test's commands one message at
 * a time through the SQLite `InFlightStore`, answering each with its result. A wait answers twice:
 * `started` once its first read saw the claim in flight, then its outcome.
 */
import type { InFlightClaim } from "../../../src/contracts/in-flight-store.js";
import { CacheRepository } from "../../../src/store/cache-repository.js";
import { openDatabase } from "../../../src/store/database.js";
import { InFlightRepository } from "../../../src/store/in-flight-repository.js";
import { sqliteInFlightStore } from "../../../src/store/sqlite-in-flight-store.js";

export type WorkerCommand =
  | { id: number; op: "claim"; claim: InFlightClaim }
  /** `nowIso` fixes the waiter's clock; without it the wait reads the real one. */
  | { id: number; op: "await"; cacheKey: string; holder: string; timeoutMs: number; nowIso?: string }
  /** Keeps an answer as a paid call would (the entry the holder then releases with). */
  | { id: number; op: "keep-answer"; cacheKey: string; runId: string; answer: string; createdAt: string }
  | { id: number; op: "release"; cacheKey: string; holder: string; entryId?: number; at: string };

export type WorkerReply = { type: "ready" } | { type: "started"; id: number } | { type: "result"; id: number; result: unknown } | { type: "error"; id: number; message: string };

const database = openDatabase(process.argv[2]!);
const inFlight = sqliteInFlightStore(new InFlightRepository(database));
const cache = new CacheRepository(database);
const reply = (message: WorkerReply) => process.send!(message);

async function carryOut(command: WorkerCommand): Promise<unknown> {
  switch (command.op) {
    case "claim":
      return inFlight.claimInFlight(command.claim);
    case "await": {
      const clock = command.nowIso === undefined ? undefined : () => new Date(command.nowIso!);
      if ((await inFlight.awaitInFlight(command.cacheKey, command.holder, 0, clock)).kind === "waiting") reply({ type: "started", id: command.id });
      return inFlight.awaitInFlight(command.cacheKey, command.holder, command.timeoutMs, clock);
    }
    case "keep-answer":
      return cache.insert({
        cacheKey: command.cacheKey, runId: command.runId, step: "draft", provider: "openai", model: "mini", answer: command.answer,
        inputTokens: 100, outputTokens: 20, costUsd: 0.25, shareable: true, callId: 1, createdAt: command.createdAt,
      });
    case "release":
      return inFlight.releaseInFlight(command.cacheKey, command.holder, command.entryId, command.at);
  }
}

process.on("message", (command: WorkerCommand) => {
  carryOut(command).then(
    (result) => reply({ type: "result", id: command.id, result }),
    (error: unknown) => reply({ type: "error", id: command.id, message: String(error) }),
  );
});
process.on("disconnect", () => {
  database.close();
  process.exit(0);
});
reply({ type: "ready" });
