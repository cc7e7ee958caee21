import { access, realpath } from "node:fs/promises";
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
  const realDirectory = await realpath(directory);
  let existing = candidate;
  const rest: string[] = [];
  while (!(await exists(existing))) {
    rest.unshift(path.basename(existing));
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const realCandidate = path.join(await realpath(existing), ...rest);
  return isInside(realDirectory, realCandidate);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
