import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { readEnvFile, readEnvFiles } from "../../src/config/env-file.js";

function envFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "orch-env-")), ".env");
  writeFileSync(file, text);
  return file;
}

describe(".env files", () => {
  it("keep the variable after a garbage line, and warn about that line by number without quoting it", () => {
    const file = envFile("this line is garbage sk-do-not-print\nOPENAI_API_KEY=sk-kept\n# a comment\n\nOTHER=2\n");
    const read = readEnvFile(file);
    assert.deepEqual(read.values, { OPENAI_API_KEY: "sk-kept", OTHER: "2" });
    assert.equal(read.warnings.length, 1);
    assert.match(read.warnings[0]!, /\.env:1:1 warning: line 1 is ignored: expected NAME=value/);
    assert.doesNotMatch(read.warnings[0]!, /sk-do-not-print/);
  });

  it("read a quoted value spanning lines as one value, not as garbage", () => {
    const read = readEnvFile(envFile('CERT="line one\nline two"\nNEXT=x\n'));
    assert.deepEqual(read.values, { CERT: "line one\nline two", NEXT: "x" });
    assert.deepEqual(read.warnings, []);
  });

  it("let a later file win and gather every file's warnings; a missing file reads as empty", () => {
    const root = envFile("A=root\nB=root\n");
    const here = envFile("B=here\n???\n");
    const read = readEnvFiles([root, here, path.join(tmpdir(), "no-such-folder-orch", ".env")]);
    assert.deepEqual(read.values, { A: "root", B: "here" });
    assert.equal(read.warnings.length, 1);
    assert.match(read.warnings[0]!, /:2:1 warning/);
  });
});
