import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A temporary file of `writeFileAtomically` (`.<name>.<8 hex>.tmp`, named below): what a killed writer leaves behind. */
export function isAtomicWriteTemporary(name: string): boolean {
  return /^\..+\.[0-9a-f]{8}\.tmp$/.test(name);
}

/** The name of the temporary file a write of `name` goes through (`hex`: 8 random hex digits). */
export function atomicWriteTemporary(name: string, hex: string): string {
  return `.${name}.${hex}.tmp`;
}

/**
 * Writes through a temporary file in the same directory and renames it into place, so a reader
 * (or a crash) never sees half a file.
 *
 * Synchronous on purpose: these are small files (results, outputs) written once per step, and
 * each async fs call is a round trip through libuv's thread pool; measured on a 2-core VM, three
 * such round trips cost ~8 ms per step when the machine had been idle waiting on a model, while
 * the same writes done synchronously block the event loop for well under a millisecond.
 */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = path.join(path.dirname(file), atomicWriteTemporary(path.basename(file), randomBytes(4).toString("hex")));
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
