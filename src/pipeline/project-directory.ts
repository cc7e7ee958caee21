import { access, lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";

/**
 * The project a pipeline belongs to: the nearest ancestor of its directory holding `.git`,
 * `package.json` or orch's settings file `orch.config.yaml`, else the pipeline's own directory.
 * Output files may not leave it.
 */
export async function findProjectDirectory(pipelineDirectory: string): Promise<string> {
  let current = path.resolve(pipelineDirectory);
  for (;;) {
    for (const marker of [".git", "package.json", "orch.config.yaml"]) {
      if (await exists(path.join(current, marker))) return current;
    }
    const parent = path.dirname(current);
    if (parent === current) return path.resolve(pipelineDirectory);
    current = parent;
  }
}

export function isInside(directory: string, candidate: string): boolean {
  const relative = path.relative(directory, candidate);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * Like `isInside`, but follows symbolic links of the parts that exist, so a link inside the
 * project pointing outside it cannot be used to write elsewhere.
 */
export async function isReallyInside(directory: string, candidate: string): Promise<boolean> {
  const [realDirectory, realCandidate] = await Promise.all([realPathOf(directory), realPathOf(candidate)]);
  return isInside(realDirectory, realCandidate);
}

/** Most links one path may go through, as the kernel's own limit (ELOOP past it). */
const maxLinks = 40;

/**
 * Where a path really leads: symbolic links of its existing prefix followed, dangling ones too
 * (writing through a dangling link creates its target), the parts that do not exist yet appended.
 */
export async function realPathOf(candidate: string, linksFollowed = 0): Promise<string> {
  let existing = path.resolve(candidate);
  const rest: string[] = [];
  while (!(await existsAsEntry(existing))) {
    const parent = path.dirname(existing);
    if (parent === existing) return path.join(existing, ...rest);
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(await realpath(existing), ...rest);
  } catch {
    // Every folder above `existing` resolves (it has an entry), so `existing` is a dangling link.
    const link = linksFollowed < maxLinks ? await readlink(existing).catch(() => undefined) : undefined;
    if (link === undefined) return path.join(existing, ...rest);
    const target = path.resolve(path.dirname(existing), link);
    return realPathOf(path.join(target, ...rest), linksFollowed + 1);
  }
}

/** True when the entry exists, a dangling symbolic link included (`access` follows links). */
async function existsAsEntry(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
