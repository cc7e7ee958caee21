/**
 * JSON result folders: `.orch/results/YYYY-MM-DD/<run-id>/` with `run.json` and one
 * `<step>.json` per step, plus `latest` pointing at the newest run. Files are plain JSON so
 * they can be read by anything (jq, CI artefacts, a notebook) without orch.
 */
import { lstat, rename, rm, symlink, unlink } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomically } from "./atomic-write.js";

export function runResultsDirectory(resultsRoot: string, runId: string, day: string): string {
  return path.join(resultsRoot, day, runId);
}

export async function writeStepResult(directory: string, step: string, result: object): Promise<string> {
  const file = path.join(directory, `${step}.json`);
  await writeFileAtomically(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
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
