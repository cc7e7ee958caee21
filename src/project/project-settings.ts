/**
 * `orch.config.yaml`: where it is (the nearest one walking up from the working directory) and the
 * project root it marks. Its contents are loaded and checked by config/ like every config file.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export const projectSettingsFileName = "orch.config.yaml";

export function findProjectSettingsFile(workingDirectory: string): string | undefined {
  let current = path.resolve(workingDirectory);
  for (;;) {
    const candidate = path.join(current, projectSettingsFileName);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
