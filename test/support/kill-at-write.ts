/**
 * Test support: a process that dies by SIGKILL at a chosen file write, so a test can stop the CLI at
 * an exact point (between a step's SQLite commit and its JSON file, half-way through an atomic write…)
 * instead of guessing one with a timer. Loaded by `cli-entry.ts` only when `ORCH_TEST_KILL_AT` is set:
 *
 * - `write:<name>`: dies just before the temporary file for `<name>` (a basename) is written;
 * - `rename:<name>`: dies once that temporary file is written, before it is renamed into place.
 *
 * Both the synchronous calls and `node:fs/promises` (step files are written off the step's path,
 * by the thread pool) are patched. `node:fs` named exports are live bindings: after patching the
 * module objects, `syncBuiltinESMExports` makes every `import { writeFileSync } from "node:fs"` and
 * `import { writeFile } from "node:fs/promises"` see the patch.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";

const point = process.env.ORCH_TEST_KILL_AT ?? "";
const [when, name] = point.split(":") as ["write" | "rename", string];
if (!name || (when !== "write" && when !== "rename")) throw new Error(`ORCH_TEST_KILL_AT must be write:<file> or rename:<file>, not "${point}"`);

/** The file an atomic write is for: `.<name>.<hex>.tmp` → `<name>`; any other file: its own name. */
function targetOf(file: fs.PathOrFileDescriptor | fs.PathLike): string {
  const base = path.basename(String(file));
  const temporary = /^\.(.+)\.[0-9a-f]+\.tmp$/.exec(base);
  return temporary ? temporary[1]! : base;
}

function die(): never {
  process.kill(process.pid, "SIGKILL");
  // SIGKILL sent to oneself is delivered before the call returns; block in case it is not yet.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("unreachable");
}

const writeFileSync = fs.writeFileSync;
const renameSync = fs.renameSync;
fs.writeFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
  if (when === "write" && targetOf(file) === name) die();
  return (writeFileSync as (...parameters: unknown[]) => void)(file, ...rest);
}) as typeof fs.writeFileSync;
fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
  if (when === "rename" && targetOf(to) === name) die();
  return renameSync(from, to);
}) as typeof fs.renameSync;
const writeFile = fs.promises.writeFile;
const rename = fs.promises.rename;
fs.promises.writeFile = ((file: fs.PathLike, ...rest: unknown[]) => {
  if (when === "write" && targetOf(file) === name) die();
  return (writeFile as (...parameters: unknown[]) => Promise<void>)(file, ...rest);
}) as typeof fs.promises.writeFile;
fs.promises.rename = ((from: fs.PathLike, to: fs.PathLike) => {
  if (when === "rename" && targetOf(to) === name) die();
  return rename(from, to);
}) as typeof fs.promises.rename;
syncBuiltinESMExports();
