/**
 * Prompt templates (eta). Templates are checked before anything runs: syntax, and which
 * upstream steps they read, so a typo fails in `orch validate` rather than after money is spent.
 */
import { Eta } from "eta";

/** Prompts are plain text, not HTML: no escaping, no whitespace trimming behind the user's back. */
const eta = new Eta({ autoEscape: false, autoTrim: false, useWith: false, varName: "it", cache: false });

export interface TemplateLocation {
  /** 0-based line and column inside the template text. */
  line: number;
  column: number;
}

export interface TemplateProblem {
  message: string;
  location: TemplateLocation;
}

export interface StepReference {
  step: string;
  location: TemplateLocation;
}

type CompiledTemplate = (data: object) => string;

export type TemplateCheck =
  | { ok: true; render: CompiledTemplate; stepReferences: StepReference[] }
  | { ok: false; problem: TemplateProblem };

/** Validation, planning and rendering all check the same texts: compile each text once. */
const checkedTemplates = new Map<string, TemplateCheck>();
const checkedTemplatesLimit = 2000;

/** Compiles once; the result renders many times (fan-out, watch reruns). */
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
  const codeSegments = locateCodeSegments(text, segments);
  for (const segment of codeSegments) {
    if (segment.kind === "expression" && !isValidExpression(segment.code)) {
      return { ok: false, problem: { message: `invalid expression "${segment.code.trim()}" in template`, location: segment.location } };
    }
  }
  let compiled: CompiledTemplate;
  try {
    const template = eta.compile(text);
    compiled = (data) => template.call(eta, data);
  } catch (error) {
    const location = codeSegments.find((segment) => segment.kind === "statement")?.location ?? { line: 0, column: 0 };
    return { ok: false, problem: { message: `template code does not compile: ${firstLine(error)}`, location } };
  }
  return { ok: true, render: compiled, stepReferences: findStepReferences(codeSegments) };
}

interface CodeSegment {
  kind: "expression" | "statement";
  code: string;
  location: TemplateLocation;
  /** Offset of `code` in the template text. */
  offset: number;
}

/** eta's AST has no offsets; find each tag's code in order in the source text. */
function locateCodeSegments(text: string, segments: ReturnType<typeof eta.parse>): CodeSegment[] {
  const located: CodeSegment[] = [];
  let cursor = 0;
  for (const segment of segments) {
    if (typeof segment === "string") {
      cursor += segment.length;
      continue;
    }
    const offset = Math.max(text.indexOf(segment.val, cursor), cursor);
    located.push({
      kind: segment.t === "e" ? "statement" : "expression",
      code: segment.val,
      location: locationOf(text, offset),
      offset,
    });
    cursor = offset + segment.val.length;
  }
  return located;
}

const stepReferencePattern = /\bit\s*\.\s*steps\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])([^"']+)\2\s*\])/g;

function findStepReferences(segments: readonly CodeSegment[]): StepReference[] {
  const references: StepReference[] = [];
  for (const segment of segments) {
    for (const match of segment.code.matchAll(stepReferencePattern)) {
      const step = match[1] ?? match[3];
      if (step === undefined) continue;
      const base = segment.location;
      const before = segment.code.slice(0, match.index);
      const newlines = before.split("\n");
      const line = base.line + newlines.length - 1;
      const column = newlines.length > 1 ? newlines.at(-1)!.length : base.column + before.length;
      references.push({ step, location: { line, column } });
    }
  }
  return references;
}

function isValidExpression(code: string): boolean {
  try {
    // Only parsed, never run: `new Function` compiles the body without calling it.
    new Function("it", `return (${code});`);
    return true;
  } catch {
    return false;
  }
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
