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
