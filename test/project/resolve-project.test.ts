/** Which policy, database, results folder and variables a command uses: flags > ORCH_POLICY > orch.config.yaml > defaults. */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/config/diagnostic.js";
import { resolveProject } from "../../src/project/resolve-project.js";
import { temporaryDirectory } from "../support/cli.js";

/** A project folder with the given files, and a nested working directory inside it. */
function project(files: Record<string, string>): { root: string; nested: string } {
  const root = temporaryDirectory("orch-settings-");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  const nested = path.join(root, "packages", "app");
  mkdirSync(nested, { recursive: true });
  return { root, nested };
}

const absolute = (file: string | undefined): string | undefined => (file === undefined ? undefined : path.resolve(file));

describe("resolveProject", () => {
  const settings = "version: 1\npolicy: policies/team.yaml\ndatabase: data/orch.db\nresults: build/orch-results\n";

  it("finds orch.config.yaml walking up, and resolves its paths from its own folder", async () => {
    const { root, nested } = project({ "orch.config.yaml": settings });
    const resolved = await resolveProject({}, nested);
    assert.equal(resolved.root, root);
    assert.equal(absolute(resolved.policyFile(undefined)), path.join(root, "policies/team.yaml"));
    assert.equal(path.resolve(resolved.databaseFile(undefined)), path.join(root, "data/orch.db"));
    assert.equal(resolved.resultsDirectory(undefined), path.join(root, "build/orch-results"));
  });

  it("lets ORCH_POLICY override the settings file, and --policy override both", async () => {
    const { nested } = project({ "orch.config.yaml": settings });
    const withVariable = await resolveProject({ ORCH_POLICY: "/elsewhere/ci.yaml" }, nested);
    assert.equal(withVariable.policyFile(undefined), "/elsewhere/ci.yaml");
    assert.equal(withVariable.policyFile("/flag.yaml"), "/flag.yaml");
  });

  it("for pipelines: --policy or ORCH_POLICY replace the pipeline's own policy; the settings' only stand in when it names none", async () => {
    const { root, nested } = project({ "orch.config.yaml": settings });
    const plain = (await resolveProject({}, nested)).workspaceOptions(undefined);
    assert.equal(plain.policyFile, undefined);
    assert.equal(absolute(plain.fallbackPolicyFile), path.join(root, "policies/team.yaml"));
    const overridden = (await resolveProject({ ORCH_POLICY: "/ci.yaml" }, nested)).workspaceOptions(undefined);
    assert.equal(overridden.policyFile, "/ci.yaml");
    assert.equal((await resolveProject({ ORCH_POLICY: "/ci.yaml" }, nested)).workspaceOptions("/flag.yaml").policyFile, "/flag.yaml");
  });

  it("lets --db and --results override the settings, and the settings override ORCH_HOME", async () => {
    const { root, nested } = project({ "orch.config.yaml": settings });
    const resolved = await resolveProject({ ORCH_HOME: "/home/ci/.orch" }, nested);
    assert.equal(resolved.databaseFile("/tmp/flag.db"), "/tmp/flag.db");
    assert.equal(path.resolve(resolved.databaseFile(undefined)), path.join(root, "data/orch.db"));
    assert.equal(resolved.resultsDirectory("/tmp/out"), "/tmp/out");
    const { nested: bare } = project({ "orch.config.yaml": "version: 1\n" });
    const defaults = await resolveProject({ ORCH_HOME: "/home/ci/.orch" }, bare);
    assert.equal(defaults.databaseFile(undefined), "/home/ci/.orch/orch.db");
    assert.equal(defaults.resultsDirectory(undefined), undefined);
    assert.equal(defaults.policyFile(undefined), undefined);
  });

  it("chooses the store: --db, then ORCH_DB, then the settings' database, then ORCH_HOME; a URL is taken as written", async () => {
    const { root, nested } = project({ "orch.config.yaml": settings });
    const env = { ORCH_HOME: "/home/ci/.orch", ORCH_DB: "postgres://ci@db.internal:5432/orch" };
    const resolved = await resolveProject(env, nested);
    assert.equal(resolved.databaseFile("/tmp/flag.db"), "/tmp/flag.db", "the flag wins over ORCH_DB");
    assert.equal(resolved.databaseFile(undefined), "postgres://ci@db.internal:5432/orch", "ORCH_DB wins over the settings");
    const withoutVariable = await resolveProject({ ORCH_HOME: "/home/ci/.orch", ORCH_DB: "  " }, nested);
    assert.equal(path.resolve(withoutVariable.databaseFile(undefined)), path.join(root, "data/orch.db"), "a blank ORCH_DB is no choice: the settings decide");
    const { nested: bare } = project({ "orch.config.yaml": "version: 1\n" });
    assert.equal((await resolveProject({ ORCH_HOME: "/home/ci/.orch", ORCH_DB: "/var/orch/shared.db" }, bare)).databaseFile(undefined), "/var/orch/shared.db", "ORCH_DB wins over ORCH_HOME");
    const { nested: team } = project({ "orch.config.yaml": "version: 1\ndatabase: postgresql://orch@db.internal/team\n" });
    assert.equal((await resolveProject({ ORCH_HOME: "/home/ci/.orch" }, team)).databaseFile(undefined), "postgresql://orch@db.internal/team", "a URL in the settings is not a path under the project");
  });

  it("reads .env of the project root and of the working directory; the nearer wins, the real environment wins over both", async () => {
    const { root } = project({ "package.json": "{}\n", ".env": "A=root\nB=root\nC=root\nORCH_POLICY=from-dotenv.yaml\n" });
    const nested = path.join(root, "packages", "app");
    writeFileSync(path.join(nested, ".env"), "B=nested\nC=nested\n");
    const resolved = await resolveProject({ C: "real" }, nested);
    assert.equal(resolved.root, root, "package.json marks the root without a settings file");
    assert.deepEqual([resolved.env.A, resolved.env.B, resolved.env.C], ["root", "nested", "real"]);
    assert.equal(resolved.policyFile(undefined), "from-dotenv.yaml", "ORCH_POLICY may come from .env");
  });

  it("reads the settings' env_files in order, later over earlier, skipping missing ones", async () => {
    const { nested } = project({ "orch.config.yaml": "version: 1\nenv_files: [.env, missing.env, .env.local]\n", ".env": "A=one\nB=one\n", ".env.local": "B=two\n" });
    const resolved = await resolveProject({}, nested);
    assert.deepEqual([resolved.env.A, resolved.env.B], ["one", "two"]);
  });

  it("refuses a settings file with an unknown key, at its line and column, naming the right one", async () => {
    const { nested } = project({ "orch.config.yaml": "version: 1\npolcy: policies/team.yaml\n" });
    const error = await resolveProject({}, nested).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ConfigError);
    const [diagnostic] = error.diagnostics;
    assert.equal(path.resolve(diagnostic!.file), path.join(path.dirname(path.dirname(nested)), "orch.config.yaml"));
    assert.deepEqual([diagnostic!.line, diagnostic!.column], [2, 1]);
    assert.match(`${diagnostic!.message} ${diagnostic!.suggestion ?? ""}`, /policy/);
  });
});
