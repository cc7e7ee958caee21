/**
 * What a template reads from `it` must exist, and is checked in `orch validate`: a step upstream
 * of this one, a declared input, a field a step result has, `it.item` only in a `for_each` step.
 * What can only be known at run time (fields inside a JSON answer or an object item) is checked
 * when the template renders: a missing value fails the step before any call (template.ts).
 */
import { didYouMean } from "../config/suggest.js";
import type { UpstreamSteps } from "./graph.js";
import type { InputDefinition } from "./model.js";
import type { TemplateLocation, TemplateRead } from "./template.js";

export interface TemplateReadScope {
  step: string;
  inputs: ReadonlyMap<string, Pick<InputDefinition, "type">>;
  upstream: UpstreamSteps;
  allSteps: readonly string[];
  /** The same names as `allSteps`, to look one up without a scan. */
  stepNames: ReadonlySet<string>;
  /** Steps with `for_each`: only they have `outputs` and `items`. */
  fanOutSteps: ReadonlySet<string>;
  /** This step's items: none (no for_each), files of a glob, strings (a list input), rows of a data file (objects), or unknown (an expression). */
  items: "none" | "files" | "strings" | "rows" | "unknown";
  /** For rows of a CSV file read at validation: its header, the only fields of `it.item`. */
  itemColumns?: readonly string[];
}

export interface TemplateReadProblem {
  message: string;
  suggestion?: string;
  location: TemplateLocation;
}

const itFields = ["inputs", "steps", "context", "item", "index", "file", "step", "pipeline"];
const stepResultFields = ["output", "json", "outputs", "items", "skipped"];
const fieldsOf: Record<string, string[]> = { file: ["path", "content"], step: ["name", "task", "language"], pipeline: ["name"] };

export function problemsOfReads(reads: readonly TemplateRead[], scope: TemplateReadScope): TemplateReadProblem[] {
  return reads.flatMap((read) => {
    const problem = problemOf(read.segments, scope);
    return problem ? [{ ...problem, location: read.location }] : [];
  });
}

function problemOf(segments: readonly (string | number)[], scope: TemplateReadScope): Omit<TemplateReadProblem, "location"> | undefined {
  const [field, name, ...rest] = segments;
  if (field === undefined) return undefined;
  const spelled = `it.${segments.join(".")}`;
  if (typeof field !== "string" || !itFields.includes(field)) {
    return withSuggestion(`template reads ${spelled}, which does not exist: templates read it.${itFields.join(", it.")}`, String(field), itFields);
  }
  if (field === "file" && scope.items !== "files") return notFanOut(field, scope, "a for_each glob");
  if ((field === "item" || field === "index") && scope.items === "none") return notFanOut(field, scope, "for_each");
  if (name === undefined) return undefined;
  switch (field) {
    case "inputs": {
      const input = typeof name === "string" ? scope.inputs.get(name) : undefined;
      if (!input) {
        return withSuggestion(`template reads input "${name}", which the pipeline does not declare`, String(name), [...scope.inputs.keys()], `declare it under inputs: or fix the name`);
      }
      return input.type === "list" ? undefined : scalarOnly(`it.inputs.${name}`, `input "${name}" is a ${input.type}`, rest);
    }
    case "steps":
      return stepProblem(String(name), rest, scope);
    case "item":
      if (scope.items === "rows") return rowFieldProblem(name, rest, scope.itemColumns);
      return scope.items === "unknown" ? undefined : scalarOnly("it.item", "each item is a string", [name, ...rest]);
    case "index":
      return scalarOnly("it.index", "it.index is a number", [name, ...rest]);
    case "context":
      return typeof name === "number" && (rest[0] === undefined || rest[0] === "file" || rest[0] === "content") ? undefined : name === "length" ? undefined : { message: `template reads ${spelled}: it.context is a list of { file, content }` };
    default: {
      const known = fieldsOf[field]!;
      if (typeof name === "string" && known.includes(name)) return scalarOnly(`it.${field}.${name}`, `it.${field}.${name} is a string`, rest);
      return withSuggestion(`template reads ${spelled}, which does not exist: it.${field} has ${known.join(", ")}`, String(name), known);
    }
  }
}

function stepProblem(step: string, rest: readonly (string | number)[], scope: TemplateReadScope): Omit<TemplateReadProblem, "location"> | undefined {
  if (!scope.upstream.has(step)) {
    const known = scope.stepNames.has(step);
    const suggestion = known ? `add "${step}" to steps.${scope.step}.needs` : (didYouMean(step, [...scope.upstream]) ?? didYouMean(step, scope.allSteps));
    return {
      message: known ? `template reads step "${step}", which is not upstream of "${scope.step}"` : `template reads unknown step "${step}"`,
      ...(suggestion ? { suggestion } : {}),
    };
  }
  const [field, ...more] = rest;
  if (field === undefined) return undefined;
  if (typeof field !== "string" || !stepResultFields.includes(field)) {
    return withSuggestion(`template reads it.steps.${step}.${field}, which a step result does not have (it has ${stepResultFields.join(", ")})`, String(field), stepResultFields);
  }
  if ((field === "outputs" || field === "items") && !scope.fanOutSteps.has(step)) {
    return { message: `template reads it.steps.${step}.${field}, which only a for_each step has`, suggestion: `read it.steps.${step}.output` };
  }
  if (field === "output") return scalarOnly(`it.steps.${step}.output`, `it.steps.${step}.output is a string`, more);
  if (field === "skipped") return scalarOnly(`it.steps.${step}.skipped`, `it.steps.${step}.skipped is true or missing`, more);
  return undefined;
}

/** A row is an object: with a CSV's header known, `it.item.<column>` must name a column, and its value is a string. */
function rowFieldProblem(name: string | number, rest: readonly (string | number)[], columns: readonly string[] | undefined): Omit<TemplateReadProblem, "location"> | undefined {
  if (columns === undefined) return undefined;
  if (typeof name !== "string" || !columns.includes(name)) {
    return withSuggestion(`template reads it.item.${name}, which the rows file has no column for (its columns: ${columns.join(", ")})`, String(name), columns);
  }
  return scalarOnly(`it.item.${name}`, `it.item.${name} is a string (a CSV field)`, rest);
}

/** A string or number has nothing to read but its length. */
function scalarOnly(spelled: string, what: string, rest: readonly (string | number)[]): Omit<TemplateReadProblem, "location"> | undefined {
  if (rest.length === 0 || (rest.length === 1 && rest[0] === "length")) return undefined;
  return { message: `template reads ${spelled}.${rest.join(".")}, which reads nothing: ${what}` };
}

function notFanOut(field: string, scope: TemplateReadScope, needed: string): Omit<TemplateReadProblem, "location"> {
  return { message: `template reads it.${field}, which only a step with ${needed} has`, suggestion: `add for_each to steps.${scope.step}, or remove it.${field}` };
}

function withSuggestion(message: string, name: string, known: readonly string[], fallback?: string): Omit<TemplateReadProblem, "location"> {
  const suggestion = didYouMean(name, known) ?? fallback;
  return { message, ...(suggestion ? { suggestion } : {}) };
}
