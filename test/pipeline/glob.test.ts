import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { compileGlob, expandGlobs, GlobSyntaxError } from "../../src/pipeline/glob.js";
import { temporaryDirectory } from "../support/cli.js";

describe("globs", () => {
  const matches: [string, string, boolean][] = [
    ["src/*.ts", "src/a.ts", true],
    ["src/*.ts", "src/deep/a.ts", false],
    ["src/**/*.ts", "src/a.ts", true],
    ["src/**/*.ts", "src/x/y/a.ts", true],
    ["**/*.md", "README.md", true],
    ["src/**", "src/x/y", true],
    ["src/?.ts", "src/ab.ts", false],
    ["src/[ab].ts", "src/b.ts", true],
    ["src/[!ab].ts", "src/b.ts", false],
    ["src/*.{ts,js}", "src/a.js", true],
    ["src/*.{ts,js}", "src/a.py", false],
    ["docs/a+b (1).md", "docs/a+b (1).md", true],
  ];
  for (const [pattern, file, expected] of matches) {
    it(`${pattern} ${expected ? "matches" : "does not match"} ${file}`, () => assert.equal(compileGlob(pattern).regex.test(file), expected));
  }

  it("rejects patterns it cannot honour, with the offset", () => {
    for (const [pattern, offset, message] of [
      ["/etc/*", 0, /relative/],
      ["../*.ts", 0, /may not go up/],
      ["src/a**.ts", 5, /whole path segment/],
      ["src/[ab.ts", 4, /unclosed \[/],
      ["src/{a,b.ts", 4, /unclosed \{/],
      ["src//a.ts", 4, /two slashes/],
    ] as const) {
      assert.throws(() => compileGlob(pattern), (error: unknown) => error instanceof GlobSyntaxError && error.offset === offset && message.test(error.message), pattern);
    }
  });

  it("lists matching files sorted, without entering node_modules, .git or .orch", async () => {
    const directory = temporaryDirectory();
    for (const file of ["src/b.ts", "src/a.ts", "src/deep/c.ts", "src/d.js", "node_modules/x/i.ts", ".orch/staging/s.ts", "src/node_modules/y.ts"]) {
      mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
      writeFileSync(path.join(directory, file), "");
    }
    assert.deepEqual(await expandGlobs([compileGlob("**/*.ts")], directory), ["src/a.ts", "src/b.ts", "src/deep/c.ts"]);
    assert.deepEqual(await expandGlobs([compileGlob("src/*.ts"), compileGlob("src/*.{ts,js}")], directory), ["src/a.ts", "src/b.ts", "src/d.js"]);
    assert.deepEqual(await expandGlobs([compileGlob("node_modules/**/*.ts")], directory), ["node_modules/x/i.ts"]);
  });
});
