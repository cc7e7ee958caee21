/**
 * Templates as data, never as code. eta only splits the text into tags; each tag is then parsed
 * by the expression grammar of `when:` (expression.ts) widened with a few helpers, and the few
 * statement forms below give control flow. Nothing is ever compiled to JavaScript, so a template
 * reaches only `it`, its loop variables and the documented helpers: `process`, `globalThis`,
 * `this`, `require`, `import()` and constructor chains are unknown names or lead nowhere.
 *
 *   <%= expression %>  <%~ expression %>          the value (strings as is, lists and objects as JSON)
 *   <% for (const x of list) { %> … <% } %>
 *   <% list.forEach(function (x, i) { %> … <% }) %>   (also `(x, i) => {`)
 *   <% if (condition) { %> … <% } else if (condition) { %> … <% } else { %> … <% } %>
 */
import { expressionPaths, parseExpression, ExpressionSyntaxError, type Expression, type ExpressionDialect } from "./expression.js";

export interface TemplateLocation {
  /** 0-based line and column inside the template text. */
  line: number;
  column: number;
}

export type TemplateNode =
  | { kind: "text"; text: string }
  | { kind: "value"; expression: Expression; code: string; location: TemplateLocation }
  | { kind: "each"; variable: string; indexVariable?: string; list: Expression; code: string; location: TemplateLocation; body: TemplateNode[] }
  | { kind: "if"; branches: { condition?: Expression; body: TemplateNode[] }[]; location: TemplateLocation };

/** A tag's code, where it sits in the template, and its kind as eta split it. */
export interface CodeTag {
  kind: "expression" | "statement";
  code: string;
  location: TemplateLocation;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly location: TemplateLocation,
  ) {
    super(message);
    this.name = "TemplateSyntaxError";
  }
}

/** The helpers a template may call, beyond those of `when:`. Documented in the README ("Templates"). */
export function templateDialect(roots: readonly string[]): ExpressionDialect {
  const one = { min: 1, max: 1 };
  const two = { min: 2, max: 2 };
  return {
    roots,
    rootsHint: `templates read it.<inputs|steps|context|item|index|file|step|pipeline>${roots.length > 1 ? ` and ${roots.slice(1).join(", ")}` : ""}`,
    stripItPrefix: false,
    functions: { contains: two, startsWith: two, endsWith: two, length: one, json: { min: 1, max: 2 } },
    methods: {
      slice: { min: 0, max: 2 },
      join: { min: 0, max: 1 },
      trim: { min: 0, max: 0 },
      toUpperCase: { min: 0, max: 0 },
      toLowerCase: { min: 0, max: 0 },
      includes: one,
      startsWith: one,
      endsWith: one,
    },
    aliases: { "JSON.stringify": "json" },
  };
}

const name = String.raw`[A-Za-z_$][\w$]*`;
const forOf = new RegExp(String.raw`^for\s*\(\s*(?:const|let|var)\s+(${name})\s+of\s+(.+)\)\s*\{$`, "sd");
const forEachCall = new RegExp(String.raw`^(.+)\.forEach\(\s*(?:function\s*)?\(\s*(${name})\s*(?:,\s*(${name})\s*)?\)\s*(?:=>\s*)?\{$`, "sd");
const forEachArrow = new RegExp(String.raw`^(.+)\.forEach\(\s*(${name})\s*=>\s*\{$`, "sd");
const ifOpen = /^if\s*\((.+)\)\s*\{$/ds;
const elseIf = /^\}\s*else\s+if\s*\((.+)\)\s*\{$/ds;
const elseOnly = /^\}\s*else\s*\{$/;
const close = /^\}\s*\)?\s*;?$/;

interface OpenBlock {
  node: Extract<TemplateNode, { kind: "each" | "if" }>;
  /** Where new nodes go: the body of the block, or of its last branch. */
  body: TemplateNode[];
  opener: string;
}

/** A path read from `it` (`it.steps.a.output` → ["steps", "a", "output"]) and where it is written. */
export interface TemplateRead {
  segments: readonly (string | number)[];
  location: TemplateLocation;
}

/** Pre: `parts` is the text in order, strings for literal text and tags for code. */
export function buildProgram(parts: readonly (string | CodeTag)[]): { program: TemplateNode[]; reads: TemplateRead[] } {
  const program: TemplateNode[] = [];
  const reads: TemplateRead[] = [];
  const open: OpenBlock[] = [];
  const target = () => open.at(-1)?.body ?? program;
  const roots = () => ["it", ...open.flatMap((block) => (block.node.kind === "each" ? [block.node.variable, ...(block.node.indexVariable ? [block.node.indexVariable] : [])] : []))];

  for (const part of parts) {
    if (typeof part === "string") {
      if (part !== "") target().push({ kind: "text", text: part });
      continue;
    }
    const code = part.code.trim();
    const lead = part.code.length - part.code.trimStart().length;
    /** Parses `text`, found at `offset` of the trimmed code, and notes what it reads from `it`. */
    const parse = (text: string, offset = 0) => {
      const expression = parseIn(part, text, roots());
      for (const path of expressionPaths(expression)) {
        if (path.root === "it") reads.push({ segments: path.segments, location: locationIn(part, lead + offset + path.offset) });
      }
      return expression;
    };
    if (part.kind === "expression") {
      target().push({ kind: "value", expression: parse(code), code, location: part.location });
      continue;
    }
    if (code === "" || /^\/\*[^]*\*\/$/.test(code)) continue;
    const loop = forOf.exec(code) ?? forEachCall.exec(code) ?? forEachArrow.exec(code);
    if (loop) {
      const isFor = loop[0].startsWith("for");
      const listGroup = isFor ? 2 : 1;
      const [variable, indexVariable] = isFor ? [loop[1]!, undefined] : [loop[2]!, loop[3]];
      const listCode = loop[listGroup]!;
      const node: TemplateNode = { kind: "each", variable, ...(indexVariable ? { indexVariable } : {}), list: parse(listCode, loop.indices![listGroup]![0]), code: listCode.trim(), location: part.location, body: [] };
      target().push(node);
      open.push({ node, body: node.body, opener: code });
      continue;
    }
    const condition = ifOpen.exec(code);
    if (condition) {
      const node: TemplateNode = { kind: "if", branches: [{ condition: parse(condition[1]!, condition.indices![1]![0]), body: [] }], location: part.location };
      target().push(node);
      open.push({ node, body: node.branches[0]!.body, opener: code });
      continue;
    }
    const alternative = elseIf.exec(code) ?? (elseOnly.test(code) ? Object.assign([code], { indices: [] }) : null);
    if (alternative) {
      const block = open.at(-1);
      if (block?.node.kind !== "if" || block.node.branches.at(-1)!.condition === undefined) {
        throw new TemplateSyntaxError(`"${code}" has no open "if" to continue`, part.location);
      }
      const branch = { ...(alternative[1] === undefined ? {} : { condition: parse(alternative[1], alternative.indices![1]![0]) }), body: [] as TemplateNode[] };
      block.node.branches.push(branch);
      block.body = branch.body;
      continue;
    }
    if (close.test(code)) {
      if (!open.pop()) throw new TemplateSyntaxError(`"${code}" closes nothing: no block is open`, part.location);
      continue;
    }
    throw new TemplateSyntaxError(
      `unsupported template code "${firstLineOf(code)}": templates allow <%= expression %>, for … of, forEach, if / else if / else and closing braces, nothing else`,
      part.location,
    );
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new TemplateSyntaxError(`template code does not compile: "${firstLineOf(unclosed.opener)}" is never closed (add <% } %>)`, unclosed.node.location);
  return { program, reads };
}

function parseIn(tag: CodeTag, text: string, roots: readonly string[]): Expression {
  try {
    return parseExpression(text, templateDialect(roots));
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    const what = tag.kind === "expression" ? `invalid expression "${text.trim()}" in template` : `invalid code "${firstLineOf(tag.code.trim())}" in template`;
    throw new TemplateSyntaxError(`${what}: ${error.message}`, tag.location);
  }
}

/** The template position of a character of a tag's code. */
export function locationIn(tag: CodeTag, offset: number): TemplateLocation {
  const before = tag.code.slice(0, offset).split("\n");
  return before.length === 1
    ? { line: tag.location.line, column: tag.location.column + offset }
    : { line: tag.location.line + before.length - 1, column: before.at(-1)!.length };
}

function firstLineOf(code: string): string {
  const line = code.split("\n")[0]!;
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
