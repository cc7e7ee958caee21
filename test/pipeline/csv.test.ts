import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CsvSyntaxError, parseCsv } from "../../src/pipeline/csv.js";

function syntaxError(text: string): { message: string; line: number; column: number } {
  try {
    parseCsv(text);
  } catch (error) {
    assert.ok(error instanceof CsvSyntaxError, String(error));
    return { message: error.message, line: error.line, column: error.column };
  }
  assert.fail("expected a CSV syntax error");
}

describe("CSV (RFC 4180)", () => {
  it("reads a header and rows of strings", () => {
    assert.deepEqual(parseCsv("id,title\n1,First\n2,Second\n"), {
      columns: ["id", "title"],
      rows: [{ id: "1", title: "First" }, { id: "2", title: "Second" }],
    });
  });

  it("reads quoted fields holding commas, escaped quotes and line breaks, with CRLF records", () => {
    const text = 'id,note\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n4,\r\n';
    assert.deepEqual(parseCsv(text).rows, [
      { id: "1", note: "a, b" },
      { id: "2", note: 'say "hi"' },
      { id: "3", note: "two\r\nlines" },
      { id: "4", note: "" },
    ]);
  });

  it("keeps the last row without a final newline, skips blank lines and a byte order mark", () => {
    assert.deepEqual(parseCsv("\uFEFFa,b\n\n1,2\n\n3,4").rows, [{ a: "1", b: "2" }, { a: "3", b: "4" }]);
  });

  it("keeps an empty quoted field and empty fields at the ends", () => {
    assert.deepEqual(parseCsv('a,b,c\n"",,\n').rows, [{ a: "", b: "", c: "" }]);
  });

  it("says where a quote is never closed", () => {
    assert.deepEqual(syntaxError('a,b\n1,"open\n2,3\n'), { message: "the quote opened here is never closed", line: 2, column: 3 });
  });

  it("refuses a quote inside an unquoted field and text after a closing quote, at their column", () => {
    assert.equal(syntaxError('a,b\n1,x"y\n').column, 4);
    assert.deepEqual(syntaxError('a,b\n1,"x"y\n'), { message: 'unexpected "y" after a closing quote: a quoted field ends at a comma or a line break', line: 2, column: 6 });
  });

  it("refuses a row whose field count differs from the header's, and a header naming a column twice", () => {
    assert.deepEqual(syntaxError("a,b\n1,2\n3\n"), { message: "this row has 1 field, the header 2 (a, b)", line: 3, column: 1 });
    assert.match(syntaxError("a,a\n1,2\n").message, /column "a" is named twice/);
  });

  it("counts lines inside quoted fields for the rows after them", () => {
    assert.equal(syntaxError('a,b\n1,"x\ny"\n2\n').line, 4);
  });
});
