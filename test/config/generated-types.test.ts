import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { generatedTypeFiles, renderGeneratedTypes } from "../../scripts/generate-types.js";

describe("src/generated", () => {
  for (const { schema, output } of generatedTypeFiles) {
    it(`${output} matches ${schema} (run npm run generate:types if not)`, async () => {
      const onDisk = await readFile(new URL(`../../${output}`, import.meta.url), "utf8");
      assert.equal(onDisk, await renderGeneratedTypes(schema));
    });
  }
});

describe("src/generated/schema-validators.ts", () => {
  it("matches the schemas (run npm run generate:types if not)", async () => {
    const { renderSchemaValidators, schemaValidatorsFile } = await import("../../scripts/generate-types.js");
    const onDisk = await readFile(new URL(`../../${schemaValidatorsFile}`, import.meta.url), "utf8");
    assert.equal(onDisk, await renderSchemaValidators());
  });

  it("accepts what the schema accepts and rejects what it rejects", async () => {
    const precompiled = await import("../../src/generated/schema-validators.js");
    const valid = { version: 1, name: "p", steps: { a: { prompt: "x", needs: [] } } };
    assert.equal(precompiled.pipeline(valid), true);
    assert.equal(precompiled.pipeline({ ...valid, steps: { a: { prompt: "x", need: [] } } }), false, "unknown key");
    assert.equal(precompiled.pipeline({ ...valid, version: 2 }), false, "wrong version");
    const policy = {
      version: 1,
      providers: { offline: { type: "mock" }, api: { type: "openai", base_url: "http://127.0.0.1:1/v1" } },
      models: { m: "offline:m" },
      tiers: { economy: ["m"], standard: ["m"], premium: ["m"] },
    };
    assert.equal(precompiled.policy(policy), true);
    assert.equal(precompiled.policy({ ...policy, providers: { api: { type: "openai", base_url: "not a url" } } }), false, "uri format");
    assert.equal(precompiled.policy({ ...policy, providers: { x: { type: "mock", bogus: 1 } } }), false, "discriminated branch");
  });
});
