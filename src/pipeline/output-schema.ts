/**
 * `output.schema` for json outputs: a JSON Schema (draft-07 by default, 2020-12 when its
 * `$schema` says so), compiled once at load so a broken schema is a config error, not a failed run.
 */
import { createHash } from "node:crypto";
import type { ErrorObject } from "ajv";
import { createAjv } from "../config/ajv-loader.js";
import type { OutputSchema } from "./model.js";

/** Throws with ajv's message when the schema itself is invalid. */
export function compileOutputSchema(schema: object, origin: string, absolutePath?: string): OutputSchema {
  const draft2020 = String((schema as { $schema?: unknown }).$schema ?? "").includes("2020-12");
  // Not strict: user schemas carry `examples`, `title` and other annotations ajv's strict mode rejects.
  const ajv = createAjv({ allErrors: true, strict: false }, draft2020 ? "2020-12" : "draft-07");
  const validate = ajv.compile(schema);
  return {
    origin,
    ...(absolutePath === undefined ? {} : { absolutePath }),
    digest: createHash("sha256").update(JSON.stringify(schema)).digest("hex"),
    check(value) {
      if (validate(value)) return [];
      return (validate.errors ?? []).slice(0, 8).map(describeSchemaError);
    },
  };
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "the answer" : error.instancePath;
  if (error.keyword === "additionalProperties") return `${where} has an unexpected key "${String(error.params.additionalProperty)}"`;
  if (error.keyword === "required") return `${where} is missing "${String(error.params.missingProperty)}"`;
  if (error.keyword === "enum") return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
  return `${where} ${error.message ?? "does not match the schema"}`;
}
