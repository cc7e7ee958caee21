/**
 * Prompt templates. eta's syntax (`<%= … %>`, `<% … %>`) is kept, its engine is not: eta compiles
 * templates to JavaScript functions, which reach `process` and the file system however the data is
 * wrapped (a constructor chain always leads back to `Function`). Here eta only splits the text into
 * tags; template-program.ts parses the tags into data and this file interprets them, so rendering
 * reads `it` and nothing else, and has no side effect (`orch plan` renders too).
 *
 * Templates are checked before anything runs: syntax, and what they read from `it` (see
 * template-reads.ts), so a typo fails in `orch validate` rather than after money is spent.
 */
import { Eta } from "eta";
import { evaluateExpression, isTruthy, type ExpressionScope } from "./evaluate-expression.js";
import { buildProgram, TemplateSyntaxError, type CodeTag, type TemplateLocation, type TemplateNode, type TemplateRead } from "./template-program.js";

export type { TemplateLocation, TemplateRead } from "./template-program.js";

/** Used for its parser only: prompts are plain text, so no escaping and no trimming behind the user's back. */
const eta = new Eta({ autoEscape: false, autoTrim: false, useWith: false, varName: "it", cache: false });

export interface TemplateProblem {
  message: string;
  location: TemplateLocation;
}

export interface StepReference {
  step: string;
  location: TemplateLocation;
}

/** A value a template printed or looped over was missing: the step fails before any call. */
export class TemplateValueError extends Error {
  constructor(
    message: string,
    readonly location: TemplateLocation,
  ) {
    super(message);
    this.name = "TemplateValueError";
  }
}

type RenderTemplate = (data: object) => string;

export type TemplateCheck =
  | { ok: true; render: RenderTemplate; stepReferences: StepReference[]; reads: TemplateRead[] }
  | { ok: false; problem: TemplateProblem };

/** Validation, planning and rendering all check the same texts: parse each text once. */
const checkedTemplates = new Map<string, TemplateCheck>();
const checkedTemplatesLimit = 2000;

/** Parses once; the result renders many times (fan-out, watch reruns). */
export function checkTemplate(text: string): TemplateCheck {
  let check = checkedTemplates.get(text);
  if (!check) {
    if (checkedTemplates.size >= checkedTemplatesLimit) checkedTemplates.clear();
    check = compileTemplate(text);
    checkedTemplates.set(text, check);
  }
  return check;
}

function compileTemplate(text: string): TemplateCheck {
  let segments: ReturnType<typeof eta.parse>;
  try {
    segments = eta.parse(text);
  } catch (error) {
    return { ok: false, problem: parseProblem(text, error) };
  }
  try {
    const { program, reads } = buildProgram(locateTags(text, segments));
    const stepReferences = reads.flatMap((read) => (read.segments[0] === "steps" && typeof read.segments[1] === "string" ? [{ step: read.segments[1], location: read.location }] : []));
    return { ok: true, render: (data) => renderNodes(program, { it: data }), stepReferences, reads };
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return { ok: false, problem: { message: error.message, location: error.location } };
  }
}

function renderNodes(nodes: readonly TemplateNode[], scope: ExpressionScope): string {
  let text = "";
  for (const node of nodes) {
    if (node.kind === "text") {
      text += node.text;
    } else if (node.kind === "value") {
      text += printable(evaluateExpression(node.expression, scope), node.code, node.location);
    } else if (node.kind === "if") {
      const branch = node.branches.find((candidate) => candidate.condition === undefined || isTruthy(evaluateExpression(candidate.condition, scope)));
      if (branch) text += renderNodes(branch.body, scope);
    } else {
      const list = evaluateExpression(node.list, scope);
      if (!Array.isArray(list)) throw new TemplateValueError(`${node.code} is ${describe(list)}, not a list`, node.location);
      list.forEach((item, index) => {
        // A fresh scope per item: the loop variables shadow nothing outside their block.
        const inner = { ...scope, [node.variable]: item, ...(node.indexVariable ? { [node.indexVariable]: index } : {}) };
        text += renderNodes(node.body, inner);
      });
    }
  }
  return text;
}

/** Strings as they are, numbers and booleans as written, lists and objects as JSON; a missing value is an error, never "undefined". */
function printable(value: unknown, code: string, location: TemplateLocation): string {
  if (value === undefined) throw new TemplateValueError(`${code} is missing (it reads nothing here), so the template cannot be rendered`, location);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** eta's AST has no offsets; find each tag's code in order in the source text. */
function locateTags(text: string, segments: ReturnType<typeof eta.parse>): (string | CodeTag)[] {
  const located: (string | CodeTag)[] = [];
  let cursor = 0;
  for (const segment of segments) {
    if (typeof segment === "string") {
      const plain = unescapeEtaString(segment);
      located.push(plain);
      cursor += plain.length;
      continue;
    }
    const offset = Math.max(text.indexOf(segment.val, cursor), cursor);
    located.push({ kind: segment.t === "e" ? "statement" : "expression", code: segment.val, location: locationOf(text, offset) });
    cursor = offset + segment.val.length;
  }
  return located;
}

/** eta's parser escapes text for a JavaScript string literal (`\\`, `'`, newlines); undo it. */
function unescapeEtaString(text: string): string {
  return text.replace(/\\([\\'n])/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped));
}

function parseProblem(text: string, error: unknown): TemplateProblem {
  const message = firstLine(error);
  const position = /at line (\d+) col (\d+)/.exec(message);
  const location = position ? { line: Number(position[1]) - 1, column: Number(position[2]) - 1 } : { line: 0, column: 0 };
  return { message: message.replace(/:$/, "").replace(/ at line \d+ col \d+/, ""), location: clampToText(text, location) };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split("\n").find((line) => line.trim() !== "" && !/^Bad template syntax/.test(line)) ?? message).trim();
}

function locationOf(text: string, offset: number): TemplateLocation {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, column: before.at(-1)!.length };
}

function clampToText(text: string, location: TemplateLocation): TemplateLocation {
  const lines = text.split("\n");
  const line = Math.min(location.line, lines.length - 1);
  return { line: Math.max(0, line), column: Math.max(0, Math.min(location.column, lines[line]?.length ?? 0)) };
}
