/**
 * A PostgreSQL URL as the store (`--db`, `ORCH_DB`, orch.config.yaml `database:`): chosen in that
 * order, and its password never printed. Nothing listens on port 9 of the loopback, so opening the
 * store fails with a usage error (exit 2) that names the store without its password.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRedactor } from "../../src/secrets/redact.js";
import { runCliInProcess, runCliProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

const password = "Secret-Passw0rd-42";
const url = (database: string) => `postgres://orch:${password}@127.0.0.1:9/${database}`;

function assertRefusedWithoutPassword(result: { code: number; stdout: string; stderr: string }, shown: string): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /cannot reach the PostgreSQL store at /);
  assert.ok(result.stderr.includes(shown), `the store is named as ${shown}: ${result.stderr}`);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(password), `the password is never printed: ${result.stdout}${result.stderr}`);
}

describe("a PostgreSQL URL as the store", () => {
  it("is taken from --db, and named without its password", async () => {
    const result = await runCliInProcess(["runs", "--db", url("from_flag")]);
    assertRefusedWithoutPassword(result, "postgres://orch:***@127.0.0.1:9/from_flag");
  });

  it("is taken from ORCH_DB when no --db is given, and --db wins over it", async () => {
    assertRefusedWithoutPassword(await runCliInProcess(["runs"], { ORCH_DB: url("from_variable") }), "postgres://orch:***@127.0.0.1:9/from_variable");
    const flagWins = await runCliInProcess(["runs", "--db", url("from_flag")], { ORCH_DB: url("from_variable") });
    assertRefusedWithoutPassword(flagWins, "@127.0.0.1:9/from_flag");
  });

  it("is taken from orch.config.yaml as written (not as a path under the project), below ORCH_DB", async () => {
    const directory = writeProject({ "orch.config.yaml": `version: 1\ndatabase: ${url("from_settings")}\n`, "policy.yaml": offlinePolicy() });
    const fromSettings = await runCliProcess(["budget", "--policy", "policy.yaml"], { cwd: directory });
    assertRefusedWithoutPassword(fromSettings, "postgres://orch:***@127.0.0.1:9/from_settings");
    const variableWins = await runCliProcess(["budget", "--policy", "policy.yaml"], { cwd: directory, env: { ORCH_DB: url("from_variable") } });
    assertRefusedWithoutPassword(variableWins, "@127.0.0.1:9/from_variable");
  });

  it("has its password registered with the redactor once opened, and any database URL's password is scrubbed whatever its length", async () => {
    await runCliInProcess(["runs", "--db", url("registered")]);
    assert.equal(createRedactor([])(`connecting with ${password} failed`), "connecting with [redacted] failed");
    assert.equal(createRedactor([])("postgresql://ci:pw@db.internal/orch refused"), "postgresql://ci:[redacted]@db.internal/orch refused");
  });
});
