/**
 * Staging an output for its checks without letting it reach its destination. The staged file is
 * placed in a mirror of the project under `.orch/staging/`: the folders from the project root
 * down to the destination are real, and every other entry in them is a symbolic link to the real
 * one. Validators thus see the project as it will be — `node --test {file}` finds the module the
 * test imports, `tsc` finds `node_modules` — while the real destination is untouched. (Files
 * reached through a link resolve to the real project: a real file importing the staged one would
 * need the runtime's preserve-symlinks option.)
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

export interface StagedFile {
  /** The mirror's root: `{dir}`, and where validators run. */
  root: string;
  /** The staged file: `{file}`. */
  file: string;
  remove(): Promise<void>;
}

/** Entries of the project root that are never linked: the staging area lives inside `.orch`. */
const notMirrored = new Set([".orch"]);

export async function stageFile(projectDirectory: string, stagingDirectory: string, relativePath: string, content: string): Promise<StagedFile> {
  const root = path.join(stagingDirectory, randomBytes(4).toString("hex"));
  const parts = relativePath.split(path.sep).filter((part) => part !== "" && part !== ".");
  await mkdir(root, { recursive: true });
  let realDirectory = projectDirectory;
  let mirrorDirectory = root;
  for (const [index, part] of parts.entries()) {
    await linkSiblings(realDirectory, mirrorDirectory, part, index === 0);
    realDirectory = path.join(realDirectory, part);
    mirrorDirectory = path.join(mirrorDirectory, part);
    if (index < parts.length - 1) await mkdir(mirrorDirectory, { recursive: true });
  }
  await writeFile(mirrorDirectory, content);
  return { root, file: mirrorDirectory, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Links every entry of `realDirectory` into `mirrorDirectory` except `keep` (made real by the caller). */
async function linkSiblings(realDirectory: string, mirrorDirectory: string, keep: string, atRoot: boolean): Promise<void> {
  const entries = await readdir(realDirectory).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name !== keep && !(atRoot && notMirrored.has(name)))
      .map((name) => symlink(path.join(realDirectory, name), path.join(mirrorDirectory, name)).catch(() => undefined)),
  );
}
