/** Input values from `--set name=value`, checked against the pipeline's declared inputs. */
import { didYouMean } from "../config/suggest.js";
import { UsageError } from "../errors/orch-error.js";
import type { InputValue, PipelineModel } from "./model.js";

export type InputValues = Record<string, InputValue>;

export function parseSetArguments(assignments: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    if (equals <= 0) throw new UsageError({ message: `--set expects name=value, got "${assignment}"`, hint: "for example: --set since=v1.2.0" });
    values.set(assignment.slice(0, equals), assignment.slice(equals + 1));
  }
  return values;
}

export function resolveInputs(pipeline: PipelineModel, given: ReadonlyMap<string, string>): InputValues {
  const declared = [...pipeline.inputs.keys()];
  const problems: string[] = [];
  const values: InputValues = {};
  for (const name of given.keys()) {
    if (pipeline.inputs.has(name)) continue;
    const suggestion = didYouMean(name, declared);
    problems.push(`unknown input "${name}"${suggestion ? ` — ${suggestion}` : ""} (declared: ${declared.join(", ") || "none"})`);
  }
  for (const input of pipeline.inputs.values()) {
    const raw = given.get(input.name);
    if (raw === undefined) {
      if (input.default !== undefined) values[input.name] = input.default;
      else if (input.required) problems.push(`input "${input.name}" is required: pass --set ${input.name}=…`);
      continue;
    }
    const converted = convert(raw, input.type);
    if (converted === undefined) problems.push(`input "${input.name}" expects a ${input.type}, got "${raw}"`);
    else values[input.name] = converted;
  }
  if (problems.length > 0) throw new UsageError({ message: problems.join("\n"), hint: `inputs are declared under "inputs:" in ${pipeline.file}` });
  return values;
}

/**
 * Why an input's `default` does not fit its `type`, or undefined when it does: a number input
 * defaulting to "abc" would otherwise send "abc" (or NaN) to the model.
 */
export function defaultMismatch(type: "string" | "number" | "boolean" | "list", value: unknown): { message: string; suggestion: string } | undefined {
  const fits =
    type === "string" ? typeof value === "string"
    : type === "number" ? typeof value === "number" && Number.isFinite(value)
    : type === "boolean" ? typeof value === "boolean"
    : Array.isArray(value) && value.every((item) => typeof item === "string");
  if (fits) return undefined;
  const shown = JSON.stringify(value);
  const suggestion =
    type === "string" ? `quote it: default: "${String(value)}"`
    : type === "number" ? "give a number, e.g. default: 3, or change the type"
    : type === "boolean" ? "give true or false, or change the type"
    : 'give a list of strings, e.g. default: ["a", "b"]';
  return { message: `the default ${shown} is not a ${type}, the input's type`, suggestion };
}

function convert(raw: string, type: "string" | "number" | "boolean" | "list"): InputValue | undefined {
  if (type === "string") return raw;
  if (type === "list") return parseList(raw);
  if (type === "number") return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
  if (raw === "true") return true;
  if (raw === "false") return false;
  return undefined;
}

/** `a,b,c` (items trimmed, empty ones dropped) or a JSON array of strings. */
function parseList(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) && parsed.every((item) => typeof item === "string") ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
}
