/**
 * JSON result folders: `.orch/results/YYYY-MM-DD/<run-id>/` with `run.json` and one
 * `<step>.json` per step, plus `latest` pointing at the newest run. Files are plain JSON so
 * they can be read by anything (jq, CI artefacts, a notebook) without orch.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { lstat, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { atomicWriteTemporary, isAtomicWriteTemporary, writeFileAtomically } from "./atomic-write.js";

export function runResultsDirectory(resultsRoot: string, runId: string, day: string): string {
  return path.join(resultsRoot, day, runId);
}

/** The text of `<step>.json`: built once, committed with the step's row, then written as is. */
export function stepResultDocument(result: object): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export async function writeStepResult(directory: string, step: string, document: string): Promise<string> {
  const file = path.join(directory, `${step}.json`);
  await writeFileAtomically(file, document);
  return file;
}

/**
 * Writes a run's `<step>.json` files off the step's path: `write` queues the document and returns at
 * once; the queue is written by the thread pool (async temporary file + rename, so a reader never
 * sees half a file) while the run goes on, and `flush` waits for all of it before the run's summary.
 *
 * Deferring is safe because the document is committed with the step's row first (step-result.ts):
 * a process killed before its queue was written loses files, not results, and `--resume` writes
 * every missing one back from SQLite (`restoreStepResults`).
 */
export interface StepResultWriter {
  write(step: string, document: string): void;
  /** Resolves when every queued file is in place; rejects with the first write that failed. */
  flush(): Promise<void>;
}

export function createStepResultWriter(directory: string): StepResultWriter {
  let made = false;
  let failure: unknown;
  const pending = new Set<Promise<void>>();
  return {
    write(step, document) {
      if (!made) {
        mkdirSync(directory, { recursive: true });
        made = true;
      }
      const file = path.join(directory, `${step}.json`);
      const temporary = path.join(directory, atomicWriteTemporary(`${step}.json`, randomBytes(4).toString("hex")));
      const written = writeFile(temporary, document)
        .then(() => rename(temporary, file))
        .catch(async (error: unknown) => {
          failure ??= error;
          await rm(temporary, { force: true });
        })
        .finally(() => pending.delete(written));
      pending.add(written);
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
      if (failure !== undefined) throw failure;
    },
  };
}

/**
 * Makes a resumed run's folder whole again before it continues: the temporary files of writes a
 * killed process never finished go, and every reused step whose `<step>.json` is missing or is not
 * the committed document (the process died after committing the step, before writing its file; the
 * file left is from an earlier attempt of the run that failed) gets it back from its row. Files
 * already right are only read: a resume costs no writes otherwise.
 */
export async function restoreStepResults(directory: string, documents: readonly { step: string; document: string | null }[]): Promise<void> {
  const names = new Set(existsSync(directory) ? readdirSync(directory) : []);
  for (const name of names) {
    if (isAtomicWriteTemporary(name)) rmSync(path.join(directory, name), { force: true });
  }
  for (const { step, document } of documents) {
    if (document === null) continue;
    const file = path.join(directory, `${step}.json`);
    if (names.has(`${step}.json`) && readFileSync(file, "utf8") === document) continue;
    await writeStepResult(directory, step, document);
  }
}

export async function writeRunSummary(directory: string, summary: object): Promise<string> {
  const file = path.join(directory, "run.json");
  await writeFileAtomically(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

/** `latest` is a relative symbolic link, replaced (not edited) so it always points somewhere valid. */
export async function pointLatestAt(resultsRoot: string, directory: string): Promise<void> {
  const link = path.join(resultsRoot, "latest");
  const target = path.relative(resultsRoot, directory);
  const temporary = `${link}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await symlink(target, temporary, "dir");
  const existing = await lstat(link).catch(() => undefined);
  if (existing && !existing.isSymbolicLink()) await rm(link, { recursive: true, force: true });
  await rename(temporary, link).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => undefined);
    throw error;
  });
}
