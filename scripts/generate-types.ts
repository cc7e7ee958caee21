// Generates src/generated/*.ts from schemas/*.schema.json. `--check` exits 1 when they are stale.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";
import { Ajv } from "ajv";
import addFormatsPlugin from "ajv-formats";
import standaloneCodeModule from "ajv/dist/standalone/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const generatedTypeFiles = [
  { schema: "schemas/pipeline.schema.json", output: "src/generated/pipeline.ts" },
  { schema: "schemas/routing-policy.schema.json", output: "src/generated/routing-policy.ts" },
  { schema: "schemas/policy-cases.schema.json", output: "src/generated/policy-cases.ts" },
  { schema: "schemas/project-settings.schema.json", output: "src/generated/project-settings.ts" },
] as const;

const banner =
  "/* Generated from SCHEMA by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */";

export async function renderGeneratedTypes(schemaPath: string): Promise<string> {
  const schema = JSON.parse(await readFile(path.join(root, schemaPath), "utf8"));
  return compile(schema, schema.title, {
    bannerComment: banner.replace("SCHEMA", schemaPath),
    additionalProperties: false,
    style: { singleQuote: false },
    unreachableDefinitions: false,
    format: true,
  });
}

/** Where the precompiled validators go, and the export name of each schema's validator. */
export const schemaValidatorsFile = "src/generated/schema-validators.ts";
const validatorExports = {
  pipeline: "schemas/pipeline.schema.json",
  policy: "schemas/routing-policy.schema.json",
  cases: "schemas/policy-cases.schema.json",
} as const;

/**
 * Compiling the schemas with ajv costs about half a second on every start; compiled ahead of
 * time (ajv's standalone code) a valid file is checked in a millisecond. These validators only
 * answer valid / invalid (first error): on invalid, src/config/ compiles the full ajv validator
 * to explain every error in plain words, so the slow path is paid only by broken files.
 */
export async function renderSchemaValidators(): Promise<string> {
  // ajv-formats and ajv's standalone module are CommonJS: their default import may be the module object.
  const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv) => Ajv;
  const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ?? standaloneCodeModule) as (
    ajv: Ajv,
    refs: Record<string, string>,
  ) => string;
  const ajv = new Ajv({ allErrors: false, discriminator: true, strict: true, allowUnionTypes: true, code: { source: true, esm: true } });
  addFormats(ajv);
  for (const [name, schemaPath] of Object.entries(validatorExports)) {
    ajv.addSchema(JSON.parse(await readFile(path.join(root, schemaPath), "utf8")), name);
  }
  const code = standaloneCode(ajv, Object.fromEntries(Object.keys(validatorExports).map((name) => [name, name])));
  return [
    "// @ts-nocheck",
    "/* Generated from schemas/*.schema.json by `npm run generate:types` (ajv standalone code). Do not edit by hand. */",
    'import { createRequire } from "node:module";',
    "const require = createRequire(import.meta.url);",
    code.replace(/^"use strict";/, ""),
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const { schema, output } of generatedTypeFiles) {
    const rendered = await renderGeneratedTypes(schema);
    const target = path.join(root, output);
    if (check) {
      const current = await readFile(target, "utf8").catch(() => "");
      if (current !== rendered) {
        console.error(`${output} is stale: run npm run generate:types`);
        stale++;
      }
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, rendered);
      console.log(`wrote ${output}`);
    }
  }
  const validators = await renderSchemaValidators();
  const validatorsTarget = path.join(root, schemaValidatorsFile);
  if (check) {
    if ((await readFile(validatorsTarget, "utf8").catch(() => "")) !== validators) {
      console.error(`${schemaValidatorsFile} is stale: run npm run generate:types`);
      stale++;
    }
  } else {
    await writeFile(validatorsTarget, validators);
    console.log(`wrote ${schemaValidatorsFile}`);
  }
  process.exitCode = stale ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
