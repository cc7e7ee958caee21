// Generates src/generated/*.ts from schemas/*.schema.json. `--check` exits 1 when they are stale.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const generatedTypeFiles = [
  { schema: "schemas/pipeline.schema.json", output: "src/generated/pipeline.ts" },
  { schema: "schemas/routing-policy.schema.json", output: "src/generated/routing-policy.ts" },
  { schema: "schemas/policy-cases.schema.json", output: "src/generated/policy-cases.ts" },
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
  process.exitCode = stale ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
