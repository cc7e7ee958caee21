import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess, runCliProcess, temporaryDirectory } from "../support/cli.js";

const scaffolded = [
  ".env.example",
  ".github/workflows/orch.yml",
  ".gitignore",
  "notes/example.md",
  "orch.config.yaml",
  "pipelines/summarise.yaml",
  "prompts/summarise.eta",
  "routing-policies/default.yaml",
];

function newFolder(): string {
  return path.join(temporaryDirectory("orch-init-"), "my-project");
}

describe("orch init", () => {
  it("scaffolds a project whose pipeline validates and runs offline, and prints the two commands", async () => {
    const project = newFolder();
    const init = await runCliInProcess(["init", project]);
    assert.equal(init.code, 0, init.stderr);
    for (const file of scaffolded) assert.ok(existsSync(path.join(project, file)), `${file} was not created`);
    assert.match(init.stdout, /^ {2}npx orch plan pipelines\/summarise\.yaml$/m);
    assert.match(init.stdout, /^ {2}npx orch run pipelines\/summarise\.yaml$/m);

    const orchHome = temporaryDirectory("orch-home-");
    for (const command of ["validate", "plan", "run"]) {
      const result = await runCliProcess([command, "pipelines/summarise.yaml"], { cwd: project, env: { ORCH_HOME: orchHome } });
      assert.equal(result.code, 0, `${command}: ${result.stderr}${result.stdout}`);
    }
    assert.ok(existsSync(path.join(project, ".orch/results")), "the run wrote its result folder inside the project");
    // orch.config.yaml names the policy, so commands without a pipeline find it too.
    const providers = await runCliProcess(["providers"], { cwd: project, env: { ORCH_HOME: orchHome } });
    assert.equal(providers.code, 0, providers.stderr);
  });

  it("points every $schema line at the schemas installed in the user's node_modules", async () => {
    const project = newFolder();
    assert.equal((await runCliInProcess(["init", project])).code, 0);
    const expected: Record<string, string> = {
      "pipelines/summarise.yaml": "node_modules/orch/schemas/pipeline.schema.json",
      "routing-policies/default.yaml": "node_modules/orch/schemas/routing-policy.schema.json",
      "orch.config.yaml": "node_modules/orch/schemas/project-settings.schema.json",
    };
    for (const [file, schema] of Object.entries(expected)) {
      const line = /^# yaml-language-server: \$schema=(.+)$/m.exec(readFileSync(path.join(project, file), "utf8"));
      assert.ok(line, `${file} has no $schema line`);
      assert.equal(path.resolve(path.dirname(path.join(project, file)), line[1]!), path.join(project, schema), file);
    }
  });

  it("refuses to overwrite, names the files, exits 2 and writes nothing", async () => {
    const project = newFolder();
    mkdirSync(path.join(project, "pipelines"), { recursive: true });
    writeFileSync(path.join(project, "pipelines/summarise.yaml"), "mine\n");
    const result = await runCliInProcess(["init", project]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to overwrite .*pipelines\/summarise\.yaml/);
    assert.equal(readFileSync(path.join(project, "pipelines/summarise.yaml"), "utf8"), "mine\n");
    assert.equal(existsSync(path.join(project, "routing-policies/default.yaml")), false, "nothing else was written");
  });

  it("refuses a second init in the same folder", async () => {
    const project = newFolder();
    assert.equal((await runCliInProcess(["init", project])).code, 0);
    const again = await runCliInProcess(["init", project]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /refusing to overwrite .*\.env\.example/);
  });

  it("appends its entries to an existing .gitignore, once, keeping the user's lines", async () => {
    const project = newFolder();
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, ".gitignore"), "node_modules/\n.env");
    const result = await runCliInProcess(["init", project]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /extended .*\.gitignore/);
    const lines = readFileSync(path.join(project, ".gitignore"), "utf8").split("\n");
    assert.deepEqual(lines.slice(0, 2), ["node_modules/", ".env"]);
    assert.equal(lines.filter((line) => line === ".env").length, 1);
    assert.ok(lines.includes(".orch/"));
  });
});
