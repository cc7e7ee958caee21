/**
 * The rows of a data file for `for_each: { rows: … }`: CSV, JSONL or JSON, each row an object.
 * Errors carry the data file's line and column, so both `orch validate` and a run can point there.
 */
import path from "node:path";
import { CsvSyntaxError, parseCsv } from "./csv.js";

export type RowsFormat = "csv" | "jsonl" | "json";

export class RowsSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "RowsSyntaxError";
  }
}

export interface DataRows {
  rows: Record<string, unknown>[];
  /** A CSV's header: the fields every row has. */
  columns?: string[];
}

const formatsByExtension: Record<string, RowsFormat> = { ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json" };

/** The format given, else the one the extension names; undefined when neither says. */
export function rowsFormatOf(file: string, given: RowsFormat | undefined): RowsFormat | undefined {
  return given ?? formatsByExtension[path.extname(file).toLowerCase()];
}

export function parseRows(text: string, format: RowsFormat): DataRows {
  if (format === "csv") {
    try {
      return parseCsv(text);
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new RowsSyntaxError(error.message, error.line, error.column);
      throw error;
    }
  }
  if (format === "jsonl") {
    const rows: Record<string, unknown>[] = [];
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === "") return;
      rows.push(objectRow(parseJson(line, index + 1), `line ${index + 1}`, index + 1));
    });
    return { rows };
  }
  const value = parseJson(text, undefined);
  if (!Array.isArray(value)) throw new RowsSyntaxError(`a JSON rows file holds an array of objects, not ${kindOf(value)}`, 1, 1);
  return { rows: value.map((row, index) => objectRow(row, `element ${index}`, 1)) };
}

function parseJson(text: string, line: number | undefined): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : 0;
    const before = text.slice(0, offset).split("\n");
    const where = line === undefined ? { line: before.length, column: before.at(-1)!.length + 1 } : { line, column: offset + 1 };
    throw new RowsSyntaxError(`invalid JSON: ${message}`, where.line, where.column);
  }
}

function objectRow(value: unknown, what: string, line: number): Record<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new RowsSyntaxError(`${what} is ${kindOf(value)}: each row is an object (it.item.<field>)`, line, 1);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
