/**
 * Editor completion shows a property's description: every property of every config schema has
 * one (a `$ref` may rely on its definition's). A new undocumented property fails this test.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

type SchemaNode = Record<string, unknown>;

const schemaDirectory = new URL("../../schemas/", import.meta.url);

/** Pointers (`file#/…`) of the properties with no description of their own or through their $ref. */
export function undocumentedProperties(schema: SchemaNode, file: string): string[] {
  const described = (node: SchemaNode): boolean => {
    if (typeof node["description"] === "string" && node["description"].trim().length >= 10) return true;
    const reference = node["$ref"];
    if (typeof reference !== "string" || !reference.startsWith("#/")) return false;
    const target = reference
      .slice(2)
      .split("/")
      .reduce<unknown>((at, key) => (at as SchemaNode | undefined)?.[key], schema) as SchemaNode | undefined;
    return target !== undefined && described(target);
  };
  const missing: string[] = [];
  const walk = (node: unknown, pointer: string) => {
    if (Array.isArray(node)) return node.forEach((child, index) => walk(child, `${pointer}/${index}`));
    if (typeof node !== "object" || node === null) return;
    const object = node as SchemaNode;
    const properties = object["properties"];
    if (typeof properties === "object" && properties !== null) {
      for (const [name, property] of Object.entries(properties as Record<string, SchemaNode>)) {
        if (!described(property)) missing.push(`${file}#${pointer}/properties/${name}`);
      }
    }
    for (const [key, child] of Object.entries(object)) {
      // `default`, `examples`, `const` and `enum` hold values, not schemas.
      if (key !== "default" && key !== "examples" && key !== "const" && key !== "enum") walk(child, `${pointer}/${key}`);
    }
  };
  walk(schema, "");
  return missing;
}

describe("config schemas document every property", () => {
  const files = readdirSync(schemaDirectory).filter((name) => name.endsWith(".schema.json"));

  it("give every property a description (for editor completion)", () => {
    assert.ok(files.length >= 4);
    const missing = files.flatMap((file) => undocumentedProperties(JSON.parse(readFileSync(new URL(file, schemaDirectory), "utf8")) as SchemaNode, file));
    assert.deepEqual(missing, [], "describe these properties in schemas/");
  });

  it("catch an undocumented property (the walk itself can fail)", () => {
    const probe = {
      definitions: { named: { description: "A described definition." }, bare: { type: "string" } },
      properties: {
        good: { type: "string", description: "Has a description." },
        viaRef: { $ref: "#/definitions/named" },
        bareRef: { $ref: "#/definitions/bare" },
        nested: { description: "An object.", type: "object", properties: { inner: { type: "string" } } },
        value: { description: "A default holding properties is a value.", default: { properties: { x: {} } } },
      },
    };
    assert.deepEqual(undocumentedProperties(probe, "probe"), ["probe#/properties/bareRef", "probe#/properties/nested/properties/inner"]);
  });

  it("show examples where a value's shape is not obvious", () => {
    const pipeline = JSON.parse(readFileSync(new URL("pipeline.schema.json", schemaDirectory), "utf8")) as { definitions: Record<string, SchemaNode> };
    const policy = JSON.parse(readFileSync(new URL("routing-policy.schema.json", schemaDirectory), "utf8")) as { definitions: Record<string, SchemaNode> };
    for (const node of [pipeline.definitions["forEach"], pipeline.definitions["command"], policy.definitions["condition"], (policy.definitions["rule"]?.["properties"] as Record<string, SchemaNode>)["use"]]) {
      assert.ok(Array.isArray(node?.["examples"]) && (node["examples"] as unknown[]).length > 0, JSON.stringify(node).slice(0, 80));
    }
  });
});
