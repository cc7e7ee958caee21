/** Helpers for tests that run pipelines through the CLI: paths, JSON events, the database. */
import path from "node:path";
import Database from "better-sqlite3";
import type { RunEvent } from "../../../src/executor/events.js";

export function runPaths(directory: string): string[] {
  return ["--db", path.join(directory, "state/orch.db"), "--results", path.join(directory, "results")];
}

export function jsonEvents(stdout: string): RunEvent[] {
  return stdout
    .trim()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RunEvent);
}

export function openDatabase(directory: string): Database.Database {
  return new Database(path.join(directory, "state/orch.db"));
}

export interface CallRow {
  step: string;
  attempt: number;
  item_index: number | null;
  provider: string;
  model: string;
  status: string;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  rejection_reason: string | null;
  cache_key: string | null;
  run_id: string;
}

export function callRows(directory: string, where = "1 = 1", ...parameters: unknown[]): CallRow[] {
  const database = openDatabase(directory);
  try {
    return database.prepare(`SELECT * FROM llm_calls WHERE ${where} ORDER BY id`).all(...parameters) as CallRow[];
  } finally {
    database.close();
  }
}

export function openReservations(directory: string): number {
  const database = openDatabase(directory);
  try {
    return (database.prepare("SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved'").get() as { count: number }).count;
  } finally {
    database.close();
  }
}

/** A policy with one mock provider and three priced models; `responses` is YAML list items, indented 6. */
export function mockPolicy(responses: string[] = [], extra = ""): string {
  return `version: 1
providers:
  offline:
    type: mock
${responses.length ? `    responses:\n${responses.map((line) => `      - ${line}`).join("\n")}\n` : ""}models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
  mid: { model: "offline:mid", prices: { input: 3, output: 6 } }
  dear: { model: "offline:dear", prices: { input: 10, output: 30 } }
tiers:
  economy: [cheap]
  standard: [cheap, dear]
  premium: [dear]
${extra}`;
}

/** The largest number of calls in flight at once, from the order of attempt-start and attempt-end events. */
export function peakInFlight(events: readonly RunEvent[], step?: string): number {
  let inFlight = 0;
  let peak = 0;
  for (const event of events) {
    if (step !== undefined && "step" in event && event.step !== step) continue;
    if (event.type === "attempt-start") peak = Math.max(peak, ++inFlight);
    else if (event.type === "attempt-end" && !event.cached) inFlight--;
  }
  return peak;
}
