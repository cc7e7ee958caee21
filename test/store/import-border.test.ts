/**
 * The store's border: everything above it is written against the asynchronous contract
 * (`src/contracts/`), so a PostgreSQL store can take the SQLite one's place. Outside `src/store/`
 * no module may import the synchronous repositories, the SQLite database or either driver; and the
 * contracts import nothing but each other.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot } from "../support/cli.js";

const source = path.join(repositoryRoot, "src");

function typescriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return typescriptFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Every module a file imports (static `from "…"`, `import "…"` and dynamic `import("…")`), as written. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)) found.push(match[1]!);
  return found;
}

/** Outside src/store/, a path into the store may name only these modules (the contract's door and file helpers). */
const storeDoors = new Set(["index.js", "results-folder.js", "atomic-write.js", "ledger-scopes.js"]);

function borderViolation(file: string, specifier: string): string | undefined {
  if (specifier === "better-sqlite3" || specifier === "pg" || specifier.startsWith("pg/")) return `${specifier} (a store driver)`;
  if (!specifier.startsWith(".")) return undefined;
  const target = path.relative(path.join(source, "store"), path.resolve(path.dirname(file), specifier));
  if (target.startsWith("..")) return undefined;
  return storeDoors.has(target) ? undefined : `store/${target}`;
}

describe("the store's import border", () => {
  it("is kept: outside src/store/ only the store's door (index.js) and its file helpers are imported, never a repository or a driver", () => {
    const violations = typescriptFiles(source)
      .filter((file) => !file.startsWith(path.join(source, "store") + path.sep))
      .flatMap((file) => {
        const text = readFileSync(file, "utf8");
        return importsOf(text).flatMap((specifier) => {
          const violation = borderViolation(file, specifier);
          return violation === undefined ? [] : [`${path.relative(repositoryRoot, file)} imports ${violation}`];
        });
      });
    assert.deepEqual(violations, []);
  });

  it("is checked for what it forbids: a repository, the database, the SQLite store and both drivers", () => {
    const executorFile = path.join(source, "executor", "attempt.ts");
    assert.equal(borderViolation(executorFile, "../store/run-repository.js"), "store/run-repository.js");
    assert.equal(borderViolation(executorFile, "../store/database.js"), "store/database.js");
    assert.equal(borderViolation(executorFile, "../store/sqlite-store.js"), "store/sqlite-store.js");
    assert.equal(borderViolation(executorFile, "../store/postgres/index.js"), "store/postgres/index.js");
    assert.equal(borderViolation(executorFile, "better-sqlite3"), "better-sqlite3 (a store driver)");
    assert.equal(borderViolation(executorFile, "pg"), "pg (a store driver)");
    assert.equal(borderViolation(executorFile, "../store/index.js"), undefined);
    assert.equal(borderViolation(executorFile, "../contracts/run-store.js"), undefined);
    assert.deepEqual(importsOf(`import type { A } from "../store/a.js";\nconst b = await import("../store/b.js");\nimport "pg";`), ["../store/a.js", "../store/b.js", "pg"]);
  });

  it("keeps the contracts types only: they import nothing but each other", () => {
    const directory = path.join(source, "contracts");
    const outside = typescriptFiles(directory).flatMap((file) =>
      importsOf(readFileSync(file, "utf8"))
        .filter((specifier) => !/^\.\/[a-z-]+\.js$/.test(specifier))
        .map((specifier) => `${path.relative(repositoryRoot, file)} imports ${specifier}`),
    );
    assert.deepEqual(outside, []);
    for (const file of typescriptFiles(directory)) {
      const text = readFileSync(file, "utf8");
      for (const line of text.split("\n").filter((candidate) => /^import\b/.test(candidate))) {
        assert.match(line, /^import type /, `${path.relative(repositoryRoot, file)}: "${line}" must be a type-only import`);
      }
    }
  });
});
