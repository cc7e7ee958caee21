import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runSchedule, type StepOutcome } from "../../src/executor/scheduler.js";

interface Trace {
  maxInFlight: number;
  started: string[];
  notRun: [string, string, string][];
}

async function schedule(
  needs: Record<string, string[]>,
  outcomes: Record<string, StepOutcome>,
  options: { concurrency?: number; failFast?: boolean; delay?: Record<string, number>; signal?: AbortSignal } = {},
) {
  const trace: Trace = { maxInFlight: 0, started: [], notRun: [] };
  let inFlight = 0;
  const final = await runSchedule({
    order: Object.keys(needs),
    needsOf: (step) => needs[step]!,
    concurrency: options.concurrency ?? 4,
    failFast: options.failFast ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
    run: async (step) => {
      trace.started.push(step);
      inFlight++;
      trace.maxInFlight = Math.max(trace.maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, options.delay?.[step] ?? 5));
      inFlight--;
      return outcomes[step] ?? "succeeded";
    },
    notRun: (step, status, reason) => trace.notRun.push([step, status, reason]),
  });
  return { final: Object.fromEntries(final), trace };
}

describe("runSchedule", () => {
  it("runs independent steps in parallel up to the concurrency limit", async () => {
    const needs = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`s${index}`, []]));
    const { final, trace } = await schedule(needs, {}, { concurrency: 3 });
    assert.equal(trace.maxInFlight, 3);
    assert.equal(Object.values(final).filter((status) => status === "succeeded").length, 10);
  });

  it("never starts a step before its needs succeed", async () => {
    const { trace } = await schedule({ a: [], b: ["a"], c: ["b"], d: [] }, {}, { delay: { a: 20 } });
    assert.ok(trace.started.indexOf("b") > trace.started.indexOf("a"));
    assert.ok(trace.started.indexOf("c") > trace.started.indexOf("b"));
    assert.ok(trace.started.indexOf("d") < trace.started.indexOf("b"), "d is independent and starts early");
  });

  it("skips dependents of a failed step with the reason while independent branches finish", async () => {
    const { final, trace } = await schedule({ a: [], b: ["a"], c: ["b"], d: [] }, { a: "failed" }, { delay: { d: 30 } });
    assert.deepEqual(final, { a: "failed", b: "skipped", c: "skipped", d: "succeeded" });
    assert.deepEqual(trace.notRun, [
      ["b", "skipped", 'needs "a", which failed'],
      ["c", "skipped", 'needs "b", which was skipped'],
    ]);
  });

  it("says when a dependency was stopped by the budget", async () => {
    const { trace } = await schedule({ a: [], b: ["a"] }, { a: "budget_stopped" });
    assert.deepEqual(trace.notRun, [["b", "skipped", 'needs "a", which was stopped by the budget']]);
  });

  it("with failFast, starts nothing after the first failure and cancels the rest", async () => {
    const { final, trace } = await schedule({ a: [], b: [], c: [], d: ["a"] }, { a: "failed" }, { concurrency: 1, failFast: true });
    assert.deepEqual(trace.started, ["a"]);
    assert.deepEqual(final, { a: "failed", b: "cancelled", c: "cancelled", d: "skipped" });
    assert.ok(trace.notRun.some(([step, , reason]) => step === "b" && reason.includes("--fail-fast")));
  });

  it("stops scheduling when the signal aborts, letting running steps end", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const { final } = await schedule({ a: [], b: ["a"], c: [] }, {}, { concurrency: 1, delay: { a: 40 }, signal: controller.signal });
    assert.equal(final.a, "succeeded");
    assert.equal(final.b, "cancelled");
    assert.equal(final.c, "cancelled");
  });

  it("lets a step that runs after skipped needs start when a need was skipped, but not when it failed", async () => {
    const final = await runSchedule({
      order: ["a", "b", "c", "d", "e"],
      needsOf: (step) => ({ a: [], b: ["a"], c: ["a"], d: ["b"], e: ["c"] })[step]!,
      concurrency: 2,
      failFast: false,
      runsAfterSkippedNeeds: (step) => step === "c" || step === "e",
      run: async (step) => (step === "a" ? "skipped" : step === "c" ? "failed" : "succeeded"),
      notRun: () => undefined,
    });
    assert.deepEqual(Object.fromEntries(final), { a: "skipped", b: "skipped", c: "failed", d: "skipped", e: "skipped" });
  });

  it("starts a step that runs after skipped needs when the skip came down a chain of skips", async () => {
    const chained = await runSchedule({
      order: ["a", "b", "c"],
      needsOf: (step) => ({ a: [], b: ["a"], c: ["b"] })[step]!,
      concurrency: 2,
      failFast: false,
      runsAfterSkippedNeeds: (step) => step === "c",
      run: async (step) => (step === "a" ? "failed" : "succeeded"),
      notRun: () => undefined,
    });
    // b is skipped because a failed; c runs after its skipped need.
    assert.deepEqual(Object.fromEntries(chained), { a: "failed", b: "skipped", c: "succeeded" });
  });

  it("starts the ready step with the longest chain of dependents first, ties in file order", async () => {
    const { trace } = await schedule({ lone: [], other: [], head: [], middle: ["head"], tail: ["middle"] }, {}, { concurrency: 1 });
    assert.deepEqual(trace.started, ["head", "middle", "lone", "other", "tail"]);
  });

  it("never runs the steps already done (a resumed run), and starts their dependents at once", async () => {
    const started: string[] = [];
    const final = await runSchedule({
      order: ["a", "b", "c"],
      needsOf: (step) => (step === "a" ? [] : [step === "b" ? "a" : "b"]),
      concurrency: 2,
      failFast: false,
      done: new Set(["a", "b"]),
      run: async (step) => {
        started.push(step);
        return "succeeded";
      },
      notRun: () => undefined,
    });
    assert.deepEqual(started, ["c"]);
    assert.deepEqual(Object.fromEntries(final), { a: "succeeded", b: "succeeded", c: "succeeded" });
  });

  it("treats a step that throws as failed", async () => {
    const final = await runSchedule({
      order: ["a", "b"],
      needsOf: (step) => (step === "b" ? ["a"] : []),
      concurrency: 2,
      failFast: false,
      run: async () => {
        throw new Error("boom");
      },
      notRun: () => undefined,
    });
    assert.deepEqual(Object.fromEntries(final), { a: "failed", b: "skipped" });
  });
});
