/**
 * Watch mode: run, then on every change to a file the pipeline reads, after a short debounce,
 * revalidate and rerun. A change during a run cancels it (the executor releases its
 * reservations) before the next one starts. A broken config is reported and watching goes on;
 * the unchanged steps of a rerun come from the cache, so only what changed is paid for.
 *
 * This file decides *when* to rerun; running is the executor's, rendering the CLI's.
 */
import { watch as chokidarWatch, type FSWatcher } from "chokidar";
import path from "node:path";
import { ConfigError } from "../config/diagnostic.js";
import type { RunOutcome } from "../executor/run-pipeline.js";
import type { Workspace } from "../workspace/load-workspace.js";
import { fallbackWatchSet, watchSetOf, type WatchSet } from "./watched-files.js";

export type WatchEvent =
  | { type: "watch-start"; files: string[] }
  | { type: "change"; files: string[] }
  | { type: "config-error"; error: ConfigError }
  | { type: "run-cancelled"; runId?: string }
  | { type: "rerun-end"; outcome: RunOutcome }
  | { type: "watch-set"; added: string[]; removed: string[] };

export interface WatchOptions {
  pipelineFile: string;
  policyFile?: string;
  load(): Promise<Workspace>;
  /** Runs once; `wrote` tells watch mode about a file the run wrote, so it is not taken for an edit. */
  run(workspace: Workspace, signal: AbortSignal, wrote: (absolutePath: string) => void): Promise<RunOutcome>;
  onEvent(event: WatchEvent): void;
  /** Stops watching; the current run is cancelled. */
  signal: AbortSignal;
  debounceMs?: number;
  /** chokidar's polling, for file systems (and tests) where native events are unreliable. */
  usePolling?: boolean;
}

export async function watchPipeline(options: WatchOptions): Promise<void> {
  const debounceMs = options.debounceMs ?? 250;
  let watchSet: WatchSet | undefined;
  let watcher: FSWatcher | undefined;
  let current: { controller: AbortController; done: Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();

  const updateWatcher = (next: WatchSet) => {
    const before = watchSet?.inputs ?? new Set<string>();
    const added = [...next.inputs].filter((file) => !before.has(file));
    const removed = [...before].filter((file) => !next.inputs.has(file));
    watchSet = next;
    if (!watcher) {
      watcher = chokidarWatch([...next.inputs], {
        ignoreInitial: true,
        usePolling: options.usePolling ?? false,
        interval: 50,
        atomic: true,
        ignored: (file) => isOwnWrite(path.resolve(file)),
      });
      watcher.on("all", (_event, file) => onFileEvent(path.resolve(file)));
      options.onEvent({ type: "watch-start", files: [...next.inputs].sort() });
      return;
    }
    if (added.length > 0) watcher.add(added);
    if (removed.length > 0) watcher.unwatch(removed);
    if (added.length + removed.length > 0) options.onEvent({ type: "watch-set", added, removed });
  };

  // Results folders, the database and output files are orch's own writes, never a reason to rerun.
  const isOwnWrite = (file: string) =>
    watchSet?.outputs.has(file) === true || file.split(path.sep).includes(".orch") || /\.db(-wal|-shm|-journal)?$/.test(file);

  const onFileEvent = (file: string) => {
    if (isOwnWrite(file)) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => void cycle(), debounceMs);
  };

  const startRun = (workspace: Workspace) => {
    const controller = new AbortController();
    const done = options
      .run(workspace, controller.signal, (file) => watchSet?.outputs.add(file))
      .then((outcome) => {
        if (!controller.signal.aborted) options.onEvent({ type: "rerun-end", outcome });
        else options.onEvent({ type: "run-cancelled", runId: outcome.runId });
      })
      .catch((error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        options.onEvent({ type: "config-error", error });
      });
    current = { controller, done };
  };

  const cycle = async (): Promise<void> => {
    if (changed.size > 0) options.onEvent({ type: "change", files: [...changed].sort() });
    changed.clear();
    if (current) {
      current.controller.abort();
      await current.done;
      current = undefined;
    }
    if (options.signal.aborted) return;
    try {
      const workspace = await options.load();
      updateWatcher(watchSetOf(workspace));
      startRun(workspace);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      options.onEvent({ type: "config-error", error });
      updateWatcher(fallbackWatchSet(watchSet, options.pipelineFile, options.policyFile));
    }
  };

  await cycle();
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clearTimeout(timer);
  current?.controller.abort();
  await current?.done;
  await watcher?.close();
}
