/**
 * Validates a config value against its JSON Schema in `schemas/` and turns ajv's errors into
 * diagnostics a person can act on: one line per real problem, at the right line and column.
 *
 * The hard part is `oneOf`: ajv reports every branch's failures, most of them about branches the
 * user never meant. For each failing `oneOf` we re-validate the value against each branch on its
 * own, keep the branch whose type fits the value (fewest problems wins) and report only its
 * errors, or one "expected a string or a mapping with …" line when no branch fits at all.
 */
import { readFileSync } from "node:fs";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { createAjv } from "./ajv-loader.js";
import * as precompiled from "../generated/schema-validators.js";
import { compareDiagnostics, formatDocumentPath } from "./diagnostic.js";
import type { Diagnostic, DocumentPath } from "./diagnostic.js";
import { describeSchemaError, describeTypes, describeValue, joinWithOr, showValue } from "./schema-error-messages.js";
import { closestMatch } from "./suggest.js";
import type { ErrorSubject, SchemaFinding } from "./schema-error-messages.js";
import type { SourceDocument } from "./yaml-document.js";

export type ConfigKind = "pipeline" | "policy" | "cases" | "settings";

type SchemaObject = Record<string, unknown>;

interface CompiledSchema {
  ajv: Ajv;
  validate: ValidateFunction;
  root: SchemaObject;
  /** JSON pointer of every object in the schema, to compile a `oneOf` branch on its own. */
  pointers: WeakMap<object, string>;
  branchValidators: WeakMap<object, ValidateFunction>;
}

const schemaFiles: Record<ConfigKind, string> = {
  pipeline: "pipeline.schema.json",
  policy: "routing-policy.schema.json",
  cases: "policy-cases.schema.json",
  settings: "project-settings.schema.json",
};

const compiledSchemas = new Map<ConfigKind, CompiledSchema>();

/** Compiling takes tens of milliseconds, so it happens once per kind, on first use. */
function compiledSchema(kind: ConfigKind): CompiledSchema {
  const cached = compiledSchemas.get(kind);
  if (cached !== undefined) return cached;
  // Two levels up from src/config/ (or dist/config/) is the package root, which ships schemas/.
  const file = new URL(`../../schemas/${schemaFiles[kind]}`, import.meta.url);
  const root = JSON.parse(readFileSync(file, "utf8")) as SchemaObject;
  const ajv = createAjv({ allErrors: true, discriminator: true, strict: true, allowUnionTypes: true, verbose: true });
  const compiled: CompiledSchema = {
    ajv,
    validate: ajv.compile(root),
    root,
    pointers: indexSchemaObjects(root),
    branchValidators: new WeakMap(),
  };
  compiledSchemas.set(kind, compiled);
  return compiled;
}

function indexSchemaObjects(root: SchemaObject): WeakMap<object, string> {
  const pointers = new WeakMap<object, string>();
  const visit = (node: unknown, pointer: string): void => {
    if (typeof node !== "object" || node === null) return;
    pointers.set(node, pointer);
    for (const [key, child] of Object.entries(node)) {
      visit(child, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
    }
  };
  visit(root, "");
  return pointers;
}

/** Ahead-of-time compiled (see scripts/generate-types.ts): the fast path for files that are valid. */
const precompiledValidators: Partial<Record<ConfigKind, (value: unknown) => boolean>> = {
  // `settings` (orch.config.yaml) has five properties: compiling its schema takes no noticeable time.
  pipeline: precompiled.pipeline,
  policy: precompiled.policy,
  cases: precompiled.cases,
};

export function validateAgainstSchema(document: SourceDocument, kind: ConfigKind): Diagnostic[] {
  if (precompiledValidators[kind]?.(document.value)) return [];
  const schema = compiledSchema(kind);
  if (schema.validate(document.value)) return [];
  const findings = explainErrors([...(schema.validate.errors ?? [])], { schema, value: document.value });
  return toDiagnostics(document, dropExplainedMissingKeys(findings));
}

interface Context {
  schema: CompiledSchema;
  /** The whole document's value: instance paths are resolved against it. */
  value: unknown;
}

function explainErrors(errors: readonly ErrorObject[], context: Context): SchemaFinding[] {
  const handled = new Set<ErrorObject>();
  const findings: SchemaFinding[] = [];
  const alternatives = errors
    .filter((error) => error.keyword === "oneOf" || error.keyword === "anyOf")
    .sort((a, b) => a.instancePath.length - b.instancePath.length);
  for (const alternative of alternatives) {
    if (handled.has(alternative)) continue;
    handled.add(alternative);
    for (const error of errors) if (belongsToAlternatives(error, alternative)) handled.add(error);
    findings.push(...explainAlternatives(alternative, context));
  }
  for (const error of errors) {
    if (handled.has(error) || isCoveredDiscriminatorError(error, errors)) continue;
    const finding = describeSchemaError(subjectOf(error, context));
    if (finding !== undefined) findings.push(finding);
  }
  return findings;
}

/** Errors at or under a failing `oneOf`, other than its neighbours in the same schema object. */
function belongsToAlternatives(error: ErrorObject, alternative: ErrorObject): boolean {
  return isAtOrUnder(error.instancePath, alternative.instancePath) && error.parentSchema !== alternative.parentSchema;
}

function isAtOrUnder(instancePath: string, ancestor: string): boolean {
  return instancePath === ancestor || instancePath.startsWith(`${ancestor}/`);
}

/** With a discriminator, a wrong or missing `type` also fails its enum or `required`, which say it better. */
function isCoveredDiscriminatorError(error: ErrorObject, errors: readonly ErrorObject[]): boolean {
  if (error.keyword !== "discriminator") return false;
  const tagPath = `${error.instancePath}/${String(error.params.tag)}`;
  return errors.some(
    (other) => other !== error && (other.instancePath === error.instancePath || other.instancePath === tagPath),
  );
}

function subjectOf(error: ErrorObject, context: Context): ErrorSubject {
  const path = toDocumentPath(error.instancePath, context.value);
  if (error.propertyName !== undefined) {
    return { error, path: [...path, error.propertyName], data: error.propertyName, isKeyName: true };
  }
  return { error, path, data: error.data, isKeyName: false };
}

function toDocumentPath(instancePath: string, value: unknown): DocumentPath {
  if (instancePath === "") return [];
  const path: (string | number)[] = [];
  let current = value;
  for (const encoded of instancePath.slice(1).split("/")) {
    const segment = encoded.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = typeof current === "object" && current !== null ? (current as SchemaObject)[segment] : undefined;
    }
  }
  return path;
}

function explainAlternatives(error: ErrorObject, context: Context): SchemaFinding[] {
  const path = toDocumentPath(error.instancePath, context.value);
  const branches = Array.isArray(error.schema) ? (error.schema as SchemaObject[]) : [];
  const descriptions = describeBranches(branches, context.schema.root);
  if (Array.isArray(error.params.passingSchemas)) {
    const message = `${showValue(error.data)} fits more than one form at once`;
    return [{ path, target: "value", message, expected: `exactly one of ${joinWithOr(descriptions)}`, keyword: error.keyword }];
  }
  const dataType = jsonTypeOf(error.data);
  let best: SchemaFinding[] | undefined;
  for (const branch of branches) {
    if (!typeFits(acceptedTypes(branch, context.schema.root), dataType)) continue;
    const branchErrors = validateBranch(branch, error, context);
    if (branchErrors === undefined) continue;
    const findings = explainErrors(branchErrors, context);
    if (best === undefined || findings.length < best.length) best = findings;
  }
  const unwrapped = unwrappedForm(branches, error, context);
  if (unwrapped !== undefined) {
    // `use: { tier: premium }`: the mapping's branch would only say "missing best_value"; the form
    // meant is the value inside it, which another branch takes as it is.
    const key = path.at(-1);
    const written = typeof key === "string" ? `${key}: ${unwrapped.text}` : unwrapped.text;
    return [{ path, target: "value", message: `a mapping does not fit here: expected ${joinWithOr(descriptions)}`, suggestion: `the closest valid form is ${written}`, keyword: error.keyword }];
  }
  if (best === undefined || best.length === 0) {
    const message = `expected ${joinWithOr(descriptions)}, got ${describeValue(error.data)}`;
    return [{ path, target: "value", message, keyword: error.keyword }];
  }
  const only = best[0];
  if (best.length === 1 && only !== undefined && (only.keyword === "enum" || only.keyword === "const")) {
    // "not one of economy, standard, premium" hides that a list would do too.
    return [{ ...only, expected: joinWithOr(descriptions) }];
  }
  return best;
}

/**
 * A one-key mapping whose value another, non-mapping branch accepts as it is: the user wrapped the
 * right value in a key of their own (`{ tier: premium }` for `premium`). Undefined otherwise, and
 * when the mapping itself fits a mapping branch but for a typo (that error says more).
 */
function unwrappedForm(branches: readonly SchemaObject[], alternative: ErrorObject, context: Context): { text: string } | undefined {
  const data = alternative.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const entries = Object.entries(data as SchemaObject);
  if (entries.length !== 1) return undefined;
  const [key, inner] = entries[0]!;
  const mappingBranches = branches.filter((branch) => typeFits(acceptedTypes(branch, context.schema.root), "object"));
  const allowedKeys = mappingBranches.flatMap((branch) => Object.keys((dereference(branch, context.schema.root).properties ?? {}) as SchemaObject));
  if (allowedKeys.includes(key) || closestMatch(key, allowedKeys) !== undefined) return undefined;
  const innerType = jsonTypeOf(inner);
  for (const branch of branches) {
    if (mappingBranches.includes(branch) || !typeFits(acceptedTypes(branch, context.schema.root), innerType)) continue;
    const errors = validateBranch(branch, { ...alternative, data: inner }, context);
    if (errors !== undefined && errors.length === 0) return { text: flowText(inner) };
  }
  return undefined;
}

/** A value as YAML flow text, as the user would write it after the key. */
function flowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(", ")}]`;
  if (typeof value === "string") return /^[\w./:-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function validateBranch(branch: SchemaObject, alternative: ErrorObject, context: Context): ErrorObject[] | undefined {
  const { schema } = context;
  let validate = schema.branchValidators.get(branch);
  if (validate === undefined) {
    const pointer = schema.pointers.get(branch);
    validate = pointer === undefined ? undefined : schema.ajv.getSchema(`${String(schema.root.$id)}#${pointer}`);
    if (validate === undefined) return undefined;
    schema.branchValidators.set(branch, validate);
  }
  if (validate(alternative.data)) return [];
  return (validate.errors ?? []).map((inner) => ({ ...inner, instancePath: alternative.instancePath + inner.instancePath }));
}

function dereference(schema: SchemaObject, root: SchemaObject): SchemaObject {
  let current = schema;
  for (let depth = 0; typeof current.$ref === "string" && current.$ref.startsWith("#/") && depth < 10; depth++) {
    let target: unknown = root;
    for (const encoded of current.$ref.slice(2).split("/")) {
      const key = encoded.replace(/~1/g, "/").replace(/~0/g, "~");
      target = typeof target === "object" && target !== null ? (target as SchemaObject)[key] : undefined;
    }
    if (typeof target !== "object" || target === null) break;
    current = target as SchemaObject;
  }
  return current;
}

function jsonTypeOf(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The JSON types a branch can accept; undefined when it says nothing about types. */
function acceptedTypes(branch: SchemaObject, root: SchemaObject): string[] | undefined {
  const schema = dereference(branch, root);
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.map(String);
  if ("const" in schema) return [jsonTypeOf(schema.const)];
  if (Array.isArray(schema.enum)) return [...new Set(schema.enum.map(jsonTypeOf))];
  if ("properties" in schema || "required" in schema) return ["object"];
  if ("items" in schema) return ["array"];
  return undefined;
}

function typeFits(types: string[] | undefined, dataType: string): boolean {
  if (types === undefined) return true;
  return types.includes(dataType) || (dataType === "integer" && types.includes("number"));
}

/** Short words for each branch; enumerations go last so the "or" list still reads. */
function describeBranches(branches: readonly SchemaObject[], root: SchemaObject): string[] {
  const words = branches.map((branch) => {
    const schema = dereference(branch, root);
    if (Array.isArray(schema.enum)) return { last: true, text: `one of ${schema.enum.map(String).join(", ")}` };
    if ("const" in schema) return { last: true, text: showValue(schema.const) };
    const types = acceptedTypes(schema, root);
    const required = Array.isArray(schema.required) ? schema.required.map((key) => `"${String(key)}"`) : [];
    if (types?.length === 1 && types[0] === "object" && required.length > 0) {
      return { last: false, text: `a mapping with ${required.join(" and ")}` };
    }
    return { last: false, text: types === undefined ? "another form" : describeTypes(types) };
  });
  return [...words.filter((word) => !word.last), ...words.filter((word) => word.last)].map((word) => word.text);
}

/** A misspelt required key yields "unknown key" plus "missing key"; the first already says it all. */
function dropExplainedMissingKeys(findings: readonly SchemaFinding[]): SchemaFinding[] {
  const suggested = new Set(
    findings
      .filter((finding) => finding.closestKey !== undefined)
      .map((finding) => `${formatDocumentPath(finding.path.slice(0, -1))}\u0000${finding.closestKey}`),
  );
  return findings.filter(
    (finding) =>
      finding.missingKey === undefined || !suggested.has(`${formatDocumentPath(finding.path)}\u0000${finding.missingKey}`),
  );
}

function toDiagnostics(document: SourceDocument, findings: readonly SchemaFinding[]): Diagnostic[] {
  const unique = new Map<string, Diagnostic>();
  for (const finding of findings) {
    const diagnostic = document.diagnosticAt(finding.path, finding, finding.target);
    unique.set(`${diagnostic.line}:${diagnostic.column}:${diagnostic.path}:${diagnostic.message}`, diagnostic);
  }
  return [...unique.values()].sort(compareDiagnostics);
}
