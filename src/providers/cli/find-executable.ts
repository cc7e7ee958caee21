/** Whether a program can be run: a path that is executable, or a name found on PATH. */
import { accessSync, constants } from "node:fs";
import path from "node:path";

export function findExecutable(program: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string | undefined {
  const isExecutable = (candidate: string): boolean => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes("/") || program.includes("\\")) {
    const resolved = path.resolve(cwd, program);
    return isExecutable(resolved) ? resolved : undefined;
  }
  const extensions = process.platform === "win32" ? (env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const directory of (env["PATH"] ?? "").split(path.delimiter)) {
    if (directory === "") continue;
    for (const extension of extensions) {
      const candidate = path.join(directory, program + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}
