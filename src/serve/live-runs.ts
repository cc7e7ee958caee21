/**
 * Runs started through the API: each runs in this process through the library's `runPipelineFile`
 * (the same executor, ledger and limits as `orch run`), keeps its events for late subscribers, and
 * is aborted on shutdown as Ctrl-C aborts a CLI run (marked interrupted, so `--resume` continues it).
 */
import type { RunEvent } from "../executor/events.js";
import { runPipelineFile } from "../library/pipeline-file.js";
import type { StepStatus } from "../contracts/run-store.js";

type Listener = (event: RunEvent) => void;

interface LiveRun {
  events: RunEvent[];
  /** Each step's status as its events tell it: running from step-start, then step-end's status. */
  steps: Map<string, StepStatus>;
  listeners: Set<Listener>;
  done: boolean;
}

export interface StartRunOptions {
  pipelineFile: string;
  inputs: Record<string, string>;
  databaseFile: string;
  env: NodeJS.ProcessEnv;
  workingDirectory: string;
}

/** Finished runs whose events stay in memory for late subscribers; older ones are read from the store. */
export const keptFinishedRuns = 50;

export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();
  /** Finished runs in the order they ended, so a long-lived server forgets the oldest first. */
  private readonly finished: string[] = [];
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();

  /** `keep`: how many finished runs' events to hold; the store answers for the others (events-stream.ts). */
  constructor(private readonly keep: number = keptFinishedRuns) {}

  /** Resolves with the run id once the run has started; rejects when it cannot start (bad pipeline or inputs). */
  start(options: StartRunOptions): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let live: LiveRun | undefined;
      const onEvent = (event: RunEvent) => {
        if (event.type === "run-start") {
          live = { events: [], steps: new Map(), listeners: new Set(), done: false };
          this.runs.set(event.runId, live);
          resolve(event.runId);
        }
        if (!live) return;
        live.events.push(event);
        if (event.type === "step-start") live.steps.set(event.step, "running");
        if (event.type === "step-end") live.steps.set(event.step, event.status);
        for (const listener of live.listeners) listener(event);
        if (event.type === "run-end") {
          live.done = true;
          live.listeners.clear();
          this.forgetBeyond(event.runId);
        }
      };
      const running = runPipelineFile(options.pipelineFile, {
        inputs: options.inputs,
        databaseFile: options.databaseFile,
        env: options.env,
        workingDirectory: options.workingDirectory,
        signal: this.controller.signal,
        onEvent,
      }).then(
        () => undefined,
        (error: unknown) => {
          // Before run-start it is the caller's error (answered as a 4xx); after, the run records its own end.
          if (!live) reject(error);
        },
      );
      this.pending.add(running);
      void running.finally(() => this.pending.delete(running));
    });
  }

  private forgetBeyond(endedRunId: string): void {
    this.finished.push(endedRunId);
    while (this.finished.length > this.keep) this.runs.delete(this.finished.shift()!);
  }

  isLive(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Step statuses from the events of a run still going on; undefined once it ended (the store then has them all) or for another process's run. */
  stepStatuses(runId: string): ReadonlyMap<string, StepStatus> | undefined {
    const live = this.runs.get(runId);
    return live && !live.done ? live.steps : undefined;
  }

  /** Replays the events so far, then follows; returns the unsubscribe function. */
  subscribe(runId: string, listener: Listener): () => void {
    const live = this.runs.get(runId);
    if (!live) return () => undefined;
    for (const event of live.events) listener(event);
    if (live.done) return () => undefined;
    live.listeners.add(listener);
    return () => live.listeners.delete(listener);
  }

  /** Stops every run as Ctrl-C would, and waits until each has recorded its end. */
  async stopAll(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.pending]);
  }
}
