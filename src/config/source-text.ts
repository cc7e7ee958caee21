/**
 * The text of a config file, refused when it cannot be YAML text: bytes that are not UTF-8, or a
 * NUL byte (a binary file, or a copy gone wrong). The YAML parser would read both without a word
 * and the damage would reach a prompt; here they get the line and column of the first bad byte.
 */
import type { Diagnostic } from "./diagnostic.js";

export type SourceText = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

export function decodeSourceText(file: string, bytes: Uint8Array): SourceText {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const { line, column } = firstInvalidUtf8(bytes);
    return {
      ok: false,
      diagnostic: { file, line, column, path: "", message: "the file is not UTF-8 text (an invalid byte sequence is here)", suggestion: "save the file as UTF-8" },
    };
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    const before = text.slice(0, nul).split("\n");
    return {
      ok: false,
      diagnostic: {
        file,
        line: before.length,
        column: before.at(-1)!.length + 1,
        path: "",
        message: "the file holds a NUL byte: it is not a text file",
        suggestion: "remove the NUL byte (a binary file or a damaged copy?)",
      },
    };
  }
  return { ok: true, text };
}

/** The first line whose bytes do not decode; the column is where the replacement character appears. */
function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  let start = 0;
  let line = 1;
  for (let index = 0; index <= bytes.length; index++) {
    if (index < bytes.length && bytes[index] !== 0x0a) continue;
    const lineBytes = bytes.subarray(start, index);
    try {
      strictUtf8.decode(lineBytes);
    } catch {
      return { line, column: lenientUtf8.decode(lineBytes).indexOf("\uFFFD") + 1 };
    }
    start = index + 1;
    line++;
  }
  return { line: 1, column: 1 };
}
