/**
 * `orch validate` on a `for_each: { rows: … }` step: when the data file is already there, a
 * malformed one is a config error at its own line and column, and a CSV's header gives the
 * columns `it.item.<column>` may read. A file not there yet (an upstream step may write it) is
 * no error here; the run fails the step before any call if it is still missing.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../config/diagnostic.js";
import { parseRows, RowsSyntaxError } from "./data-rows.js";
import type { PipelineStep } from "./model.js";

/** The CSV's columns when the file can be read now; undefined otherwise (JSON rows have no fixed fields). */
export async function checkRowsAtValidation(step: PipelineStep, diagnostics: Diagnostic[]): Promise<readonly string[] | undefined> {
  const source = step.forEach?.source;
  if (source?.kind !== "rows") return undefined;
  const text = await readFile(source.absolutePath, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseRows(text, source.format).columns;
  } catch (error) {
    if (!(error instanceof RowsSyntaxError)) throw error;
    const file = path.relative(process.cwd(), source.absolutePath) || source.absolutePath;
    diagnostics.push({ file, line: error.line, column: error.column, path: `steps.${step.name}.for_each.rows`, message: `${source.format.toUpperCase()} rows: ${error.message}` });
    return undefined;
  }
}
