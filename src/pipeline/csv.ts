/**
 * A small RFC 4180 CSV reader for `for_each: { rows: … }`: fields separated by commas, records
 * by CRLF or LF, a field in double quotes may hold commas, line breaks and `""` (one quote).
 * The first record names the columns; every later record becomes an object of strings.
 * Errors carry the 1-based line and column of the offending character, for `file:line:col`.
 */

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

interface CsvRecord {
  fields: string[];
  line: number;
}

/** Splits the text into records of fields. Pre: none; post: no record is empty unless the line was. */
export function parseCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let column = 1;
  let recordLine = 1;
  let index = text.startsWith("\uFEFF") ? 1 : 0;
  // `start` of a field, `unquoted` inside one, `quoted` inside quotes, `closed` right after the closing quote.
  let state: "start" | "unquoted" | "quoted" | "closed" = "start";
  let quoteLine = 0;
  let quoteColumn = 0;

  const endRecord = () => {
    fields.push(field);
    // A blank line (one empty field) is no record: trailing newlines and spacer lines are common.
    if (!(fields.length === 1 && fields[0] === "" && state === "start")) records.push({ fields, line: recordLine });
    fields = [];
    field = "";
    state = "start";
  };

  while (index < text.length) {
    const character = text[index]!;
    if (state === "quoted") {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 2;
          column += 2;
          continue;
        }
        state = "closed";
      } else {
        field += character;
        if (character === "\n") {
          line++;
          column = 0;
        }
      }
      index++;
      column++;
      continue;
    }
    if (character === ",") {
      fields.push(field);
      field = "";
      state = "start";
    } else if (character === "\n" || (character === "\r" && text[index + 1] === "\n")) {
      endRecord();
      if (character === "\r") index++;
      line++;
      column = 0;
      recordLine = line;
    } else if (character === '"') {
      if (state !== "start") throw new CsvSyntaxError(state === "closed" ? 'unexpected " after a closing quote' : 'a " inside an unquoted field: quote the whole field and double the inner quote ("")', line, column);
      state = "quoted";
      quoteLine = line;
      quoteColumn = column;
    } else {
      if (state === "closed") throw new CsvSyntaxError(`unexpected "${character}" after a closing quote: a quoted field ends at a comma or a line break`, line, column);
      field += character;
      state = "unquoted";
    }
    index++;
    column++;
  }
  if (state === "quoted") throw new CsvSyntaxError("the quote opened here is never closed", quoteLine, quoteColumn);
  if (field !== "" || fields.length > 0 || state !== "start") endRecord();
  return records;
}

/** Header and rows; each row must have as many fields as the header has columns. */
export function parseCsv(text: string): CsvTable {
  const [header, ...records] = parseCsvRecords(text);
  if (!header) return { columns: [], rows: [] };
  const seen = new Set<string>();
  header.fields.forEach((name, index) => {
    if (name.trim() === "") throw new CsvSyntaxError(`column ${index + 1} of the header has no name`, header.line, 1);
    if (seen.has(name)) throw new CsvSyntaxError(`column "${name}" is named twice in the header`, header.line, 1);
    seen.add(name);
  });
  const columns = header.fields;
  const rows = records.map((record) => {
    if (record.fields.length !== columns.length) {
      throw new CsvSyntaxError(`this row has ${record.fields.length} field${record.fields.length === 1 ? "" : "s"}, the header ${columns.length} (${columns.join(", ")})`, record.line, 1);
    }
    return Object.fromEntries(columns.map((name, index) => [name, record.fields[index]!]));
  });
  return { columns, rows };
}
