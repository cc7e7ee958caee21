/**
 * Maps a position inside a string scalar's *value* back to the file. Template errors are
 * reported by line and column of the template text, but the user needs the line in the YAML
 * file, where a block scalar (`|`, `>`) starts one line below its key, is indented, and a
 * folded one (`>`, or a plain scalar over several lines) joins lines with spaces.
 *
 * Escapes in double-quoted scalars are not replayed, so columns after an escape are approximate.
 */
import type { SourcePosition } from "./yaml-document.js";

export type ScalarStyle = "PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE" | "BLOCK_LITERAL" | "BLOCK_FOLDED";

/** A run of value characters copied unchanged from one source line. */
interface Segment {
  valueLine: number;
  valueColumn: number;
  length: number;
  sourceLine: number;
  sourceColumn: number;
}

interface SourceLine {
  text: string;
  line: number;
  column: number;
  empty: boolean;
}

/**
 * `source` is the scalar's text from its first character (the quote or the `|` header) and
 * `start` the file position of that character.
 */
export function positionInScalar(
  source: string,
  style: ScalarStyle,
  start: SourcePosition,
  lineInValue: number,
  columnInValue: number,
): SourcePosition {
  const isBlock = style === "BLOCK_LITERAL" || style === "BLOCK_FOLDED";
  const lines = isBlock ? blockLines(source, start) : flowLines(source, style, start);
  const segments = foldLines(lines, style);
  return findPosition(segments, lineInValue, columnInValue) ?? start;
}

function splitLines(source: string): string[] {
  return source.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

function blockLines(source: string, start: SourcePosition): SourceLine[] {
  // The first line is the header (`|-`, `>2`, maybe a comment); content lines follow.
  const content = splitLines(source).slice(1);
  const filled = content.filter((line) => line.trim() !== "");
  const indent = filled.length === 0 ? 0 : Math.min(...filled.map(leadingSpaces));
  return content.map((line, index) => ({
    text: line.slice(indent),
    line: start.line + 1 + index,
    column: indent + 1,
    empty: line.trim() === "",
  }));
}

function flowLines(source: string, style: ScalarStyle, start: SourcePosition): SourceLine[] {
  const quoted = style === "QUOTE_DOUBLE" || style === "QUOTE_SINGLE";
  return splitLines(source).map((line, index) => {
    if (index === 0) {
      const offset = quoted ? 1 : 0;
      return { text: line.slice(offset), line: start.line, column: start.column + offset, empty: false };
    }
    const indent = leadingSpaces(line);
    return { text: line.slice(indent), line: start.line + index, column: indent + 1, empty: line.trim() === "" };
  });
}

/**
 * Replays YAML line folding: in folded and flow scalars a single line break between two
 * ordinary lines becomes a space and each empty line a newline; in literal scalars, and around
 * more-indented lines of folded ones, every line break is kept.
 */
function foldLines(lines: readonly SourceLine[], style: ScalarStyle): Segment[] {
  const segments: Segment[] = [];
  let valueLine = 0;
  let valueColumn = 0;
  let previous: "none" | "joinable" | "kept" = "none";
  let emptyLines = 0;
  for (const line of lines) {
    if (line.empty) {
      emptyLines++;
      continue;
    }
    const kind = isJoinable(line.text, style) ? "joinable" : "kept";
    const folds = previous === "joinable" && kind === "joinable";
    if (folds && emptyLines === 0) {
      valueColumn += 1;
    } else {
      // A folded break is swallowed (only the empty lines count); a kept break adds a line.
      valueLine += previous === "none" || folds ? emptyLines : emptyLines + 1;
      valueColumn = 0;
    }
    segments.push({ valueLine, valueColumn, length: line.text.length, sourceLine: line.line, sourceColumn: line.column });
    valueColumn += line.text.length;
    previous = kind;
    emptyLines = 0;
  }
  return segments;
}

function isJoinable(text: string, style: ScalarStyle): boolean {
  if (style === "BLOCK_LITERAL") return false;
  if (style === "BLOCK_FOLDED") return !/^[ \t]/.test(text);
  return true;
}

function findPosition(segments: readonly Segment[], lineInValue: number, columnInValue: number): SourcePosition | undefined {
  let found: Segment | undefined;
  for (const segment of segments) {
    if (segment.valueLine < lineInValue || (segment.valueLine === lineInValue && segment.valueColumn <= columnInValue)) {
      found = segment;
    }
  }
  if (found === undefined) return undefined;
  // Past the end of its line (or on a line with no text of its own): point just after the text.
  const offset = found.valueLine === lineInValue ? Math.min(columnInValue - found.valueColumn, found.length) : found.length;
  return { line: found.sourceLine, column: found.sourceColumn + offset };
}
