/**
 * Reads a YAML config file into a plain value while keeping the parsed node tree, so every
 * later check (schema, policy semantics, templates) can point at the exact line and column.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Node, YAMLError } from "yaml";
import { formatDocumentPath } from "./diagnostic.js";
import type { Diagnostic, DocumentPath } from "./diagnostic.js";
import { positionInScalar } from "./scalar-position.js";
import type { ScalarStyle } from "./scalar-position.js";

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface SourceDocument {
  /** As the user named it (relative paths stay relative); used in diagnostics. */
  file: string;
  absolutePath: string;
  text: string;
  /** The plain value; undefined when the YAML cannot be read at all. */
  value: unknown;
  /** YAML syntax errors, duplicate keys and unknown aliases, each with its position. */
  diagnostics: Diagnostic[];
  /**
   * Position of the node at `path`; target "key" gives the map key's position (for unknown keys).
   * Falls back to the nearest existing ancestor.
   */
  locate(path: DocumentPath, target?: "key" | "value"): SourcePosition;
  /**
   * Position of a character inside the string scalar at `path`, given its 0-based line and column
   * inside the scalar's value (block scalars included).
   */
  locateInScalar(path: DocumentPath, lineInValue: number, columnInValue: number): SourcePosition;
  /** A diagnostic of this file at `path` (the key's position with target "key"). */
  diagnosticAt(path: DocumentPath, details: DiagnosticDetails, target?: "key" | "value"): Diagnostic;
}

/** What a check says about a place; the document adds where the place is. */
export type DiagnosticDetails = Pick<Diagnostic, "message" | "expected" | "suggestion">;

const documentStart: SourcePosition = { line: 1, column: 1 };

export function parseYamlDocument(file: string, text: string, absolutePath: string): SourceDocument {
  const lineCounter = new LineCounter();
  // prettyErrors off: its messages embed a source excerpt, and positions come from lineCounter.
  // uniqueKeys off: the parser compares each key with every earlier one of its map (quadratic: a
  // third of validating a 10,000-step pipeline); `findDuplicateKeys` does it with one Map per map.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const positionOf = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const diagnosticAt = (position: SourcePosition, path: DocumentPath, message: string, suggestion?: string): Diagnostic => ({
    file,
    line: position.line,
    column: position.column,
    path: formatDocumentPath(path),
    message,
    ...(suggestion === undefined ? {} : { suggestion }),
  });

  const diagnostics = document.errors.map((error) => describeYamlError(error, positionOf, diagnosticAt));
  diagnostics.push(...findDuplicateKeys(document, positionOf, diagnosticAt));
  diagnostics.push(...findUnknownAliases(document, positionOf, diagnosticAt));

  let value: unknown;
  if (document.contents === null) {
    if (diagnostics.length === 0) diagnostics.push(diagnosticAt(documentStart, [], "the file is empty"));
  } else {
    try {
      value = document.toJS();
    } catch (error) {
      if (diagnostics.length === 0) {
        diagnostics.push(diagnosticAt(documentStart, [], `cannot read the YAML: ${(error as Error).message}`));
      }
    }
  }

  const locate = (path: DocumentPath, target: "key" | "value" = "value"): SourcePosition => {
    const found = findNode(document, path);
    if (target === "key" && found.keyOffset !== undefined) return positionOf(found.keyOffset);
    return found.valueOffset === undefined ? documentStart : positionOf(found.valueOffset);
  };

  const locateInScalar = (path: DocumentPath, lineInValue: number, columnInValue: number): SourcePosition => {
    const found = findNode(document, path);
    const node = found.complete ? found.node : undefined;
    if (!isScalar(node) || !node.range || typeof node.value !== "string") return locate(path);
    const source = text.slice(node.range[0], node.range[1]);
    const style = (node.type ?? "PLAIN") as ScalarStyle;
    return positionInScalar(source, style, positionOf(node.range[0]), lineInValue, columnInValue);
  };

  const diagnosticAtPath = (path: DocumentPath, details: DiagnosticDetails, target?: "key" | "value"): Diagnostic => ({
    file,
    ...locate(path, target),
    path: formatDocumentPath(path),
    message: details.message,
    ...(details.expected === undefined ? {} : { expected: details.expected }),
    ...(details.suggestion === undefined ? {} : { suggestion: details.suggestion }),
  });
  return { file, absolutePath, text, value, diagnostics, locate, locateInScalar, diagnosticAt: diagnosticAtPath };
}

interface FoundNode {
  /** The node at the path, or the deepest ancestor that exists. */
  node: Node | undefined;
  /** Whether the whole path was found. */
  complete: boolean;
  keyOffset: number | undefined;
  valueOffset: number | undefined;
}

function resolve(document: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return node.resolve(document);
  return isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

/** A value left empty (`prompt:`) has no text of its own, so positions fall back to its key. */
function hasOwnText(node: Node | undefined): boolean {
  return node?.range != null && !(isScalar(node) && node.value === null && node.range[0] === node.range[1]);
}

function findNode(document: Document, path: DocumentPath): FoundNode {
  let node = resolve(document, document.contents);
  let keyOffset: number | undefined;
  let valueOffset = hasOwnText(node) ? node?.range?.[0] : undefined;
  for (const segment of path) {
    const child = childOf(document, node, segment);
    if (child === undefined) return { node, complete: false, keyOffset: undefined, valueOffset };
    keyOffset = child.keyOffset;
    node = child.node;
    valueOffset = hasOwnText(node) ? node?.range?.[0] : (keyOffset ?? valueOffset);
  }
  return { node, complete: true, keyOffset, valueOffset };
}

function childOf(
  document: Document,
  node: Node | undefined,
  segment: string | number,
): { node: Node | undefined; keyOffset: number | undefined } | undefined {
  if (isMap(node)) {
    // With duplicate keys the last one is the value that counts, as in toJS().
    const pair = node.items.findLast((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    if (pair === undefined) return undefined;
    const keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    return { node: resolve(document, pair.value), keyOffset };
  }
  if (isSeq(node) && typeof segment === "number") {
    if (segment < 0 || segment >= node.items.length) return undefined;
    return { node: resolve(document, node.items[segment]), keyOffset: undefined };
  }
  return undefined;
}

type DiagnosticFactory = (position: SourcePosition, path: DocumentPath, message: string, suggestion?: string) => Diagnostic;

const yamlErrorHints: Partial<Record<string, { message: string; suggestion: string }>> = {
  TAB_AS_INDENT: { message: "tabs are not allowed as indentation", suggestion: "indent with spaces" },
  MULTIPLE_DOCS: {
    message: "the file holds more than one YAML document",
    suggestion: "keep one document per file (remove the second `---`)",
  },
};

function describeYamlError(error: YAMLError, positionOf: (offset: number) => SourcePosition, diagnosticAt: DiagnosticFactory): Diagnostic {
  const position = positionOf(error.pos[0]);
  const known = yamlErrorHints[error.code];
  if (known !== undefined) return diagnosticAt(position, [], known.message, known.suggestion);
  const detail = error.message.charAt(0).toLowerCase() + error.message.slice(1);
  return diagnosticAt(position, [], `invalid YAML: ${detail}`);
}

/** Walks every map and sequence, calling `visit` with each node and its document path. */
function walk(document: Document, visit: (node: unknown, path: DocumentPath) => void): void {
  const step = (node: unknown, path: DocumentPath): void => {
    visit(node, path);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        step(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => step(item, [...path, index]));
    }
  };
  step(document.contents, []);
}

/**
 * Every key of a map that an earlier key of the same map already has, in document order: one pass,
 * one Map of the keys seen per map (keys compare by value and type, as the YAML parser's check did).
 */
function findDuplicateKeys(document: Document, positionOf: (offset: number) => SourcePosition, diagnosticAt: DiagnosticFactory): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const visit = (node: unknown, path: DocumentPath): void => {
    if (isMap(node)) {
      const seen = new Map<unknown, number>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key : undefined;
        if (key !== undefined) {
          const offset = key.range?.[0] ?? 0;
          const first = seen.get(key.value);
          if (first === undefined) {
            seen.set(key.value, offset);
          } else {
            const at = positionOf(first);
            diagnostics.push(
              diagnosticAt(positionOf(offset), [...path, String(key.value)], `duplicate key "${String(key.value)}" (first defined at line ${at.line}, column ${at.column})`, "remove or rename one of them"),
            );
          }
        }
        visit(pair.value, [...path, key === undefined ? "?" : String(key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(document.contents, []);
  return diagnostics;
}

function findUnknownAliases(
  document: Document,
  positionOf: (offset: number) => SourcePosition,
  diagnosticAt: DiagnosticFactory,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  walk(document, (node, path) => {
    if (!isAlias(node) || node.resolve(document) !== undefined) return;
    const position = node.range ? positionOf(node.range[0]) : documentStart;
    diagnostics.push(
      diagnosticAt(position, path, `unknown alias "*${node.source}"`, `define the anchor "&${node.source}" before it is used`),
    );
  });
  return diagnostics;
}
