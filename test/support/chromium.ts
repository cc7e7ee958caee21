/**
 * Tests that open pages in a browser use Debian's `chromium` package (never a downloaded browser):
 * ORCH_CHROMIUM names the executable, else `chromium` is looked up on PATH. Without it they skip
 * and say why — unless ORCH_REQUIRE_CHROMIUM=1 (CI, `.ci/run`), where a missing browser is a
 * failure, never a silent skip.
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export type ChromiumSetting = { kind: "run"; executablePath: string } | { kind: "skip"; reason: string } | { kind: "fail"; reason: string };

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, searchPath: string | undefined): string | undefined {
  for (const folder of (searchPath ?? "").split(path.delimiter)) {
    if (folder !== "" && isExecutableFile(path.join(folder, name))) return path.join(folder, name);
  }
  return undefined;
}

export function chromiumSetting(env: NodeJS.ProcessEnv = process.env): ChromiumSetting {
  const named = env.ORCH_CHROMIUM?.trim();
  const found = named ? (isExecutableFile(named) ? named : undefined) : onPath("chromium", env.PATH);
  if (found) return { kind: "run", executablePath: found };
  const missing = named ? `ORCH_CHROMIUM=${named} is not an executable file` : "no `chromium` on PATH (Debian: apt-get install chromium; or set ORCH_CHROMIUM to the browser's executable)";
  if (env.ORCH_REQUIRE_CHROMIUM === "1") return { kind: "fail", reason: `ORCH_REQUIRE_CHROMIUM=1 but ${missing}` };
  return { kind: "skip", reason: `browser test skipped: ${missing}` };
}

/** `it`'s skip option: the reason when the test skips, false when it runs (or must fail). */
export function chromiumSkip(setting: ChromiumSetting = chromiumSetting()): string | false {
  return setting.kind === "skip" ? setting.reason : false;
}

/** The browser's executable; throws (failing the test) when the browser is required but missing. */
export function chromiumExecutable(setting: ChromiumSetting = chromiumSetting()): string {
  if (setting.kind === "run") return setting.executablePath;
  throw new Error(setting.reason);
}

/** Flags for headless runs as root in a container (CI): no sandbox, no /dev/shm, no network of its own. */
export const headlessChromiumFlags = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
