import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../../src/config/diagnostic.js";
import { detectConfigKind, loadConfigFile, loadPipelineFile, loadPolicyFile } from "../../src/config/load-config.js";
import { brief, configErrorOf, temporaryDirectory, writeFixture, yamlLines } from "./helpers.js";

const policyText = yamlLines(
  "version: 1", //                                                    1
  "providers:", //                                                    2
  "  ollama:", //                                                     3
  "    type: ollama", //                                              4
  '    host: "${OLLAMA_HOST:-http://127.0.0.1:11434}"', //            5
  "models:", //                                                       6
  "  small: ollama:llama3.2:3b", //                                   7
  "tiers: { economy: [small], standard: [small], premium: [small] }", // 8
);

const pipelineText = yamlLines("version: 1", "name: notes", "steps:", "  draft:", "    prompt: Write notes");

describe("detectConfigKind", () => {
  const cases: [value: unknown, expected: string | undefined][] = [
    [{ steps: {} }, "pipeline"],
    [{ providers: {} }, "policy"],
    [{ tiers: {} }, "policy"],
    [{ models: {} }, "policy"],
    [{ name: "x" }, undefined],
    [["steps"], undefined],
    [null, undefined],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${String(expected)}`, () => assert.equal(detectConfigKind(value), expected));
  }
});

describe("loadPipelineFile", () => {
  it("loads a valid pipeline with its paths", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(directory, "notes.yaml", pipelineText);
    const loaded = await loadPipelineFile(file);
    assert.equal(loaded.kind, "pipeline");
    assert.equal(loaded.directory, directory);
    assert.equal(loaded.pipeline.steps.draft?.prompt, "Write notes");
  });

  it("keeps a relative file name as given, in the result and in diagnostics", async () => {
    const directory = await temporaryDirectory();
    await writeFixture(directory, "bad.yaml", yamlLines("version: 1", "name: x", "steps: {}"));
    const relative = path.relative(process.cwd(), path.join(directory, "bad.yaml"));
    const diagnostics = await configErrorOf(() => loadPipelineFile(relative));
    assert.deepEqual(
      diagnostics.map((diagnostic) => [diagnostic.file, brief(diagnostic)]),
      [[relative, "3:8 steps: the mapping is empty"]],
    );
  });

  it("reports duplicate keys and schema errors together", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(
      directory,
      "notes.yaml",
      yamlLines("version: 1", "name: notes", "steps:", "  draft:", "    prompt: a", "    prompt: b", "    need: [x]"),
    );
    const diagnostics = await configErrorOf(() => loadPipelineFile(file));
    assert.deepEqual(diagnostics.map(brief), [
      '6:5 steps.draft.prompt: duplicate key "prompt" (first defined at line 5, column 5)',
      '7:5 steps.draft.need: unknown key "need"',
    ]);
  });

  it("stops at a syntax error that leaves nothing to validate", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(directory, "notes.yaml", yamlLines("version: 1", "steps: *nowhere"));
    const diagnostics = await configErrorOf(() => loadPipelineFile(file));
    assert.deepEqual(diagnostics.map(brief), ['2:8 steps: unknown alias "*nowhere"']);
  });

  it("reports a missing file at 1:1 with a way to fix it", async () => {
    const directory = await temporaryDirectory();
    await writeFixture(directory, "release-notes.yaml", pipelineText);
    const missing = path.join(directory, "release-note.yaml");
    const diagnostics = await configErrorOf(() => loadPipelineFile(missing));
    assert.deepEqual(diagnostics, [
      {
        file: missing,
        line: 1,
        column: 1,
        path: "",
        message: "file not found",
        suggestion: `did you mean "${path.join(directory, "release-notes.yaml")}"?`,
      },
    ]);
    const elsewhere = await configErrorOf(() => loadPipelineFile(path.join(directory, "nothing", "x.yaml")));
    assert.match(elsewhere[0]?.suggestion ?? "", /^check the path/);
  });

  it("reports a directory and an empty file", async () => {
    const directory = await temporaryDirectory();
    await mkdir(path.join(directory, "pipelines"));
    const asDirectory = await configErrorOf(() => loadPipelineFile(path.join(directory, "pipelines")));
    assert.deepEqual(asDirectory.map(brief), ["1:1 : this is a directory, not a file"]);
    const empty = await writeFixture(directory, "empty.yaml", "");
    const asEmpty = await configErrorOf(() => loadPipelineFile(empty));
    assert.deepEqual(asEmpty.map(brief), ["1:1 : the file is empty"]);
  });

  it("throws a ConfigError whose message lists every diagnostic", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(directory, "notes.yaml", yamlLines("version: 1", "name: notes"));
    await assert.rejects(loadPipelineFile(file), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^1 error in configuration:\n.*notes\.yaml:1:1 missing required key "steps"$/);
      return true;
    });
  });
});

describe("loadPolicyFile", () => {
  it("expands environment variables, with defaults", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(directory, "policy.yaml", policyText);
    const byDefault = await loadPolicyFile(file, {});
    assert.deepEqual(byDefault.policy.providers.ollama, { type: "ollama", host: "http://127.0.0.1:11434" });
    const fromEnvironment = await loadPolicyFile(file, { OLLAMA_HOST: "http://gpu:11434" });
    assert.deepEqual(fromEnvironment.policy.providers.ollama, { type: "ollama", host: "http://gpu:11434" });
    // The document keeps the text as written.
    assert.equal(
      (fromEnvironment.document.value as { providers: { ollama: { host: string } } }).providers.ollama.host,
      "${OLLAMA_HOST:-http://127.0.0.1:11434}",
    );
  });

  it("reports an unset variable once, and an invalid expanded value without showing it", async () => {
    const directory = await temporaryDirectory();
    const text = policyText.replace("${OLLAMA_HOST:-http://127.0.0.1:11434}", "${OLLAMA_HOST}");
    const file = await writeFixture(directory, "policy.yaml", text);
    const unset = await configErrorOf(() => loadPolicyFile(file, {}));
    assert.deepEqual(unset.map(brief), ['5:12 providers.ollama.host: environment variable "OLLAMA_HOST" is not set']);
    const invalid = await configErrorOf(() => loadPolicyFile(file, { OLLAMA_HOST: "not a url, secret" }));
    assert.deepEqual(invalid.map(brief), ['5:11 providers.ollama.host: "${OLLAMA_HOST}" does not expand to a valid value']);
    assert.ok(!JSON.stringify(invalid).includes("secret"));
  });

  it("runs the policy checks once the schema is satisfied", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(directory, "policy.yaml", policyText.replace("premium: [small]", "premium: [smal]"));
    const diagnostics = await configErrorOf(() => loadPolicyFile(file, {}));
    assert.deepEqual(diagnostics.map(brief), ['8:57 tiers.premium[0]: unknown model alias "smal"']);
  });
});

describe("loadConfigFile", () => {
  it("detects pipelines and policies", async () => {
    const directory = await temporaryDirectory();
    const pipeline = await loadConfigFile(await writeFixture(directory, "a.yaml", pipelineText));
    const policy = await loadConfigFile(await writeFixture(directory, "b.yaml", policyText), {});
    assert.deepEqual([pipeline.kind, policy.kind], ["pipeline", "policy"]);
  });

  it("says when it cannot tell what a file is", async () => {
    const directory = await temporaryDirectory();
    const file = await writeFixture(directory, "c.yaml", yamlLines("# a note", "name: what"));
    const diagnostics = await configErrorOf(() => loadConfigFile(file));
    assert.deepEqual(diagnostics.map(brief), ["2:1 : cannot tell whether this is a pipeline or a routing policy"]);
    assert.equal(diagnostics[0]?.suggestion, 'a pipeline has "steps:"; a routing policy has "providers:", "models:" and "tiers:"');
  });
});
