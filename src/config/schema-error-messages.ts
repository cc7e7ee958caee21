/**
 * Plain words for single ajv errors. Ajv speaks JSON Schema ("must NOT have additional
 * properties"); users wrote YAML, so messages name keys, lists and mappings, quote the
 * offending value and say what would be accepted.
 */
import type { ErrorObject } from "ajv";
import type { DocumentPath } from "./diagnostic.js";
import { closestMatch, didYouMean } from "./suggest.js";
import { builtInTaskTypes } from "./task-types.js";

export interface SchemaFinding {
  path: DocumentPath;
  /** "key" points at the map key (unknown keys, bad names), "value" at the value. */
  target: "key" | "value";
  message: string;
  expected?: string;
  suggestion?: string;
  keyword: string;
  /** For `required`: the missing key, so a misspelt key next to it can explain it instead. */
  missingKey?: string;
  /** For unknown keys: the allowed key it is closest to. */
  closestKey?: string;
}

/** What an error is about, once the walker has worked out where it points. */
export interface ErrorSubject {
  error: ErrorObject;
  path: DocumentPath;
  data: unknown;
  /** True when the error is about a key's name (ajv `propertyNames`), not a value. */
  isKeyName: boolean;
}

type SchemaObject = Record<string, unknown>;

const typeWords: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  null: "an empty value",
};

const longestKeyList = 10;

export function joinWithOr(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

export function describeTypes(types: unknown): string {
  const list = Array.isArray(types) ? types : String(types).split(",");
  return joinWithOr(list.map((type) => typeWords[String(type)] ?? String(type)));
}

/** A value as the user wrote it, for messages: short, and never a whole mapping. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return describeValue(value);
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return "a string";
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

function listKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, longestKeyList).join(", ");
  return keys.length > longestKeyList ? `one of: ${shown}, …` : `one of: ${shown}`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The innermost key of `path` that `nouns` knows, so `models.mini` is still about models. */
function nounFor(path: DocumentPath, nouns: Record<string, string>): string | undefined {
  const known = [...path].reverse().find((segment) => typeof segment === "string" && Object.hasOwn(nouns, segment));
  return known === undefined ? undefined : nouns[known];
}

export function describeSchemaError(subject: ErrorSubject): SchemaFinding | undefined {
  const { error, path, data } = subject;
  const parentSchema = (error.parentSchema ?? {}) as SchemaObject;
  const params = error.params as Record<string, unknown>;
  const at = (message: string, extra: Partial<SchemaFinding> = {}): SchemaFinding => ({
    path,
    target: subject.isKeyName ? "key" : "value",
    message,
    keyword: error.keyword,
    ...extra,
  });

  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parentSchema.properties ?? {}) as SchemaObject);
      const closestKey = closestMatch(key, allowed);
      return {
        path: [...path, key],
        target: "key",
        message: `unknown key "${key}"`,
        keyword: error.keyword,
        ...(allowed.length > 0 ? { expected: listKeys(allowed) } : {}),
        ...(closestKey === undefined ? {} : { suggestion: `did you mean "${closestKey}"?`, closestKey }),
      };
    }
    case "required": {
      const missingKey = String(params.missingProperty);
      return { path, target: "key", message: `missing required key "${missingKey}"`, keyword: error.keyword, missingKey };
    }
    case "type":
      return at(`expected ${describeTypes(params.type)}, got ${describeValue(data)}`);
    case "enum":
    case "const": {
      const allowed = error.keyword === "enum" ? (params.allowedValues as unknown[]) : [params.allowedValue];
      const suggestion = typeof data === "string" ? didYouMean(data, allowed.map(String)) : undefined;
      return at(`${showValue(data)} is not allowed`, {
        expected: allowed.length === 1 ? showValue(allowed[0]) : `one of ${allowed.map(String).join(", ")}`,
        ...(suggestion === undefined ? {} : { suggestion }),
      });
    }
    case "pattern":
      return describePattern(subject, String(params.pattern), at);
    case "minLength":
      return Number(params.limit) === 1
        ? at("must not be empty")
        : at(`${showValue(data)} is too short`, { expected: `at least ${plural(Number(params.limit), "character")}` });
    case "maxLength":
      return at("is too long", { expected: `at most ${plural(Number(params.limit), "character")}` });
    case "minimum":
    case "exclusiveMinimum":
      return at(`${showValue(data)} is too small`, { expected: describeRange(parentSchema) });
    case "maximum":
    case "exclusiveMaximum":
      return at(`${showValue(data)} is too large`, { expected: describeRange(parentSchema) });
    case "minItems":
      return at(Array.isArray(data) && data.length === 0 ? "the list is empty" : "the list is too short", {
        expected: `at least ${plural(Number(params.limit), "item")}`,
      });
    case "maxItems":
      return at("the list is too long", { expected: `at most ${plural(Number(params.limit), "item")}` });
    case "minProperties": {
      const allowed = Object.keys((parentSchema.properties ?? {}) as SchemaObject);
      return at("the mapping is empty", {
        expected: allowed.length > 0 ? listKeys(allowed) : `at least ${plural(Number(params.limit), "entry", "entries")}`,
      });
    }
    case "uniqueItems": {
      // ajv's two strategies disagree on which of i and j is the later index.
      const later = Math.max(Number(params.i), Number(params.j));
      const earlier = Math.min(Number(params.i), Number(params.j));
      const item = Array.isArray(data) ? data[later] : undefined;
      return {
        path: [...path, later],
        target: "value",
        message: `${showValue(item)} is listed twice (also item ${earlier + 1})`,
        suggestion: "remove one of them",
        keyword: error.keyword,
      };
    }
    case "format":
      return describeFormat(String(params.format), data, at);
    case "propertyNames":
      // Its inner error (reported separately, with the name) says what is wrong.
      return undefined;
    default:
      return at(error.message ?? `is not valid (${error.keyword})`);
  }
}

function describeRange(schema: SchemaObject): string {
  const kind = schema.type === "integer" ? "a whole number" : "a number";
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (typeof minimum === "number" && typeof maximum === "number") return `${kind} from ${minimum} to ${maximum}`;
  const bounds = [
    typeof minimum === "number" ? `at least ${minimum}` : undefined,
    typeof exclusiveMinimum === "number" ? `greater than ${exclusiveMinimum}` : undefined,
    typeof maximum === "number" ? `at most ${maximum}` : undefined,
    typeof exclusiveMaximum === "number" ? `less than ${exclusiveMaximum}` : undefined,
  ].filter((bound) => bound !== undefined);
  return `${kind} ${bounds.join(" and ")}`;
}

type FindingFactory = (message: string, extra?: Partial<SchemaFinding>) => SchemaFinding;

/** What each pattern used in `schemas/` accepts, in words. */
const patternWords: Record<string, string> = {
  "^[A-Za-z_][A-Za-z0-9_]*$": "an identifier: letters, digits and _, not starting with a digit",
  "^[A-Za-z0-9][A-Za-z0-9._-]*$": "letters, digits, '.', '_' and '-', starting with a letter or digit",
  "^[a-z][a-z0-9_-]*$": "lowercase letters, digits, '_' and '-', starting with a letter",
  "^[A-Za-z0-9][A-Za-z0-9._-]*:.+$": `"provider:model", for example "openai:gpt-4o-mini"`,
};

/** Names of things, by the key holding them (for names: by the mapping they are keys of). */
const keyNameNouns: Record<string, string> = {
  steps: "step name",
  inputs: "input name",
  providers: "provider name",
  models: "model alias",
};

const valueNouns: Record<string, string> = {
  needs: "step name",
  name: "name",
  task: "task type",
  tasks: "task type",
  model: "model reference",
  models: "model reference",
  api_key_env: "environment variable name",
  defer_for: "duration",
};

function describePattern(subject: ErrorSubject, pattern: string, at: FindingFactory): SchemaFinding {
  const noun = subject.isKeyName
    ? (nounFor(subject.path.slice(-2, -1), keyNameNouns) ?? "key")
    : (nounFor(subject.path, valueNouns) ?? "value");
  const expected = patternWords[pattern] ?? `text matching ${pattern}`;
  const value = String(subject.data);
  let suggestion: string | undefined;
  if (noun === "task type") suggestion = didYouMean(value, builtInTaskTypes);
  else if (pattern === "^[A-Za-z_][A-Za-z0-9_]*$") suggestion = `rename it to "${toIdentifier(value)}"`;
  return at(`${showValue(subject.data)} is not a valid ${noun}`, {
    expected,
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}

function toIdentifier(text: string): string {
  const replaced = text.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(replaced) || replaced === "" ? `_${replaced}` : replaced;
}

const formatWords: Record<string, { noun: string; expected: string }> = {
  uri: { noun: "URL", expected: `an absolute URL, for example "http://127.0.0.1:11434"` },
  "date-time": { noun: "date and time", expected: `an ISO 8601 date and time, for example "2025-01-31T09:00:00Z"` },
  email: { noun: "email address", expected: "an email address" },
};

function describeFormat(format: string, data: unknown, at: FindingFactory): SchemaFinding {
  const words = formatWords[format] ?? { noun: format, expected: `a valid ${format}` };
  return at(`${showValue(data)} is not a valid ${words.noun}`, { expected: words.expected });
}
