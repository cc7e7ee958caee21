/**
 * Every object in the config schemas is closed (`additionalProperties: false`), so a misspelt key
 * (`validat:` for `validate:`) is an error, never a setting silently ignored. The few objects that
 * must stay open are listed below, each with its reason; a new open object fails this test.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { maxConcurrency } from "../../src/pipeline/model.js";

const schemaFiles = ["pipeline.schema.json", "routing-policy.schema.json", "policy-cases.schema.json"] as const;

/** `file#pointer` of the objects allowed to take keys they do not name. */
const openOnPurpose: Record<string, string> = {
  // Maps keyed by names the user chooses; every value is a closed object (checked through its $ref).
  "pipeline.schema.json#/properties/inputs": "input name → input",
  "pipeline.schema.json#/properties/steps": "step name → step",
  "routing-policy.schema.json#/properties/providers": "provider name → provider",
  "routing-policy.schema.json#/properties/models": "model alias → model",
  "routing-policy.schema.json#/definitions/budget/properties/per_pipeline": "pipeline name → budget",
  "routing-policy.schema.json#/definitions/budget/properties/per_tag": "tag → budget",
  "routing-policy.schema.json#/definitions/provider/oneOf/1/properties/headers": "HTTP header name → value",
  // A discriminated union: `type` picks one of the branches, and each branch is closed.
  "routing-policy.schema.json#/definitions/provider": "one of the closed provider branches",
  // The user's own JSON Schema for a step's answer: any JSON Schema keyword is allowed.
  "pipeline.schema.json#/definitions/output/properties/schema/oneOf/0": "an inline JSON Schema",
};

type SchemaNode = Record<string, unknown>;

function isObjectSchema(node: SchemaNode): boolean {
  const type = node["type"];
  return type === "object" || (Array.isArray(type) && type.includes("object")) || "properties" in node;
}

function openObjects(file: string): string[] {
  return openObjectsIn(JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), "utf8")) as unknown, file);
}

/** Pointers (`label#/…`) of the object schemas that accept keys they do not name. */
function openObjectsIn(schema: unknown, file: string): string[] {
  const open: string[] = [];
  const walk = (node: unknown, pointer: string) => {
    if (Array.isArray(node)) return node.forEach((child, index) => walk(child, `${pointer}/${index}`));
    if (typeof node !== "object" || node === null) return;
    const object = node as SchemaNode;
    if (isObjectSchema(object) && object["additionalProperties"] !== false && object["unevaluatedProperties"] !== false) open.push(`${file}#${pointer}`);
    for (const [key, child] of Object.entries(object)) {
      // `default` and `examples` hold values, not schemas.
      if (key !== "default" && key !== "examples" && key !== "const" && key !== "enum") walk(child, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
    }
  };
  walk(schema, "");
  return open;
}

describe("config schemas", () => {
  it("close every object but the few open on purpose", () => {
    const open = schemaFiles.flatMap(openObjects);
    const unexpected = open.filter((pointer) => !(pointer in openOnPurpose));
    assert.deepEqual(unexpected, [], "close these objects with additionalProperties: false (or list them above, with the reason)");
    const stale = Object.keys(openOnPurpose).filter((pointer) => !open.includes(pointer));
    assert.deepEqual(stale, [], "these listed objects are no longer open: remove them from the list");
  });

  it("catch an open object (the walk itself can fail)", () => {
    const probe = {
      type: "object",
      additionalProperties: false,
      properties: {
        closed: { type: "object", additionalProperties: false, properties: { b: { type: "string" } } },
        open: { type: "object", properties: { b: { type: "string" } } },
        list: { type: "array", items: { properties: { c: { type: "string" } } } },
        value: { type: "object", default: { properties: {} }, additionalProperties: false },
      },
    };
    assert.deepEqual(openObjectsIn(probe, "probe"), ["probe#/properties/open", "probe#/properties/list/items"]);
  });

  it("cap --concurrency where the schema caps concurrency:", () => {
    const schema = JSON.parse(readFileSync(new URL("../../schemas/pipeline.schema.json", import.meta.url), "utf8")) as { properties: { concurrency: { maximum: number } } };
    assert.equal(maxConcurrency, schema.properties.concurrency.maximum);
  });
});
