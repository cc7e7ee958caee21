import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { brief, parse, yamlLines } from "./helpers.js";

describe("parseYamlDocument: syntax", () => {
  it("reports a syntax error with its position and still reads what it can", () => {
    const document = parse(yamlLines("steps:", "  a:", "    prompt: hi", "   b: 2"));
    assert.deepEqual(document.diagnostics.map(brief), [
      "4:1 : invalid YAML: all mapping items must start at the same column",
    ]);
    assert.notEqual(document.value, undefined);
  });

  it("reports every duplicate key, naming the key and where it was first defined", () => {
    const document = parse(
      yamlLines("version: 1", "steps:", "  draft:", "    prompt: one", "    prompt: two", "version: 2"),
    );
    assert.deepEqual(document.diagnostics.map(brief), [
      '5:5 steps.draft.prompt: duplicate key "prompt" (first defined at line 4, column 5)',
      '6:1 version: duplicate key "version" (first defined at line 1, column 1)',
    ]);
    assert.equal(document.diagnostics[0]?.suggestion, "remove or rename one of them");
    // The value is still read (last one wins), so schema errors can be reported alongside.
    assert.deepEqual(document.value, { version: 2, steps: { draft: { prompt: "two" } } });
  });

  it("reports an alias to an anchor that does not exist, and gives up on the value", () => {
    const document = parse(yamlLines("a: 1", "b: *missing"));
    assert.deepEqual(document.diagnostics.map(brief), ['2:4 b: unknown alias "*missing"']);
    assert.equal(document.value, undefined);
  });

  it("says an empty file (or one with only comments) is empty", () => {
    for (const text of ["", "# nothing here\n"]) {
      const document = parse(text);
      assert.deepEqual(document.diagnostics.map(brief), ["1:1 : the file is empty"]);
      assert.equal(document.value, undefined);
    }
  });

  it("rejects a second YAML document in the file", () => {
    const document = parse(yamlLines("a: 1", "---", "b: 2"));
    assert.deepEqual(document.diagnostics.map(brief), ["2:1 : the file holds more than one YAML document"]);
  });
});

describe("SourceDocument.locate", () => {
  const document = parse(
    yamlLines(
      "version: 1", //                      1
      "steps:", //                          2
      "  draft:", //                        3
      "    needs: [collect, review]", //    4
      "    prompt:", //                     5
      "  collect:", //                      6
      "    prompt: |", //                   7
      "      hello", //                     8
    ),
  );

  it("finds values, keys and list items", () => {
    assert.deepEqual(document.locate(["steps", "draft", "needs"]), { line: 4, column: 12 });
    assert.deepEqual(document.locate(["steps", "draft", "needs"], "key"), { line: 4, column: 5 });
    assert.deepEqual(document.locate(["steps", "draft", "needs", 1]), { line: 4, column: 22 });
    assert.deepEqual(document.locate(["steps", "collect", "prompt"]), { line: 7, column: 13 });
  });

  it("points an empty value at its key", () => {
    assert.deepEqual(document.locate(["steps", "draft", "prompt"]), { line: 5, column: 5 });
  });

  it("falls back to the nearest ancestor that exists", () => {
    assert.deepEqual(document.locate(["steps", "draft", "output", "file"]), { line: 4, column: 5 });
    assert.deepEqual(document.locate(["steps", "nope"], "key"), { line: 3, column: 3 });
    assert.deepEqual(document.locate([]), { line: 1, column: 1 });
  });
});

describe("SourceDocument.locateInScalar", () => {
  const document = parse(
    yamlLines(
      "steps:", //                                   1
      "  draft:", //                                 2
      "    prompt: |", //                            3
      "      Summarise <%= it.steps.collect %>", //  4
      "        indented", //                         5
      "", //                                         6
      "      broken <% if (x) { %>", //              7
      "  quoted:", //                                8
      '    prompt: "Hi <%= it.name"', //             9
      "  plain:", //                                10
      "    prompt: Hi <%= it.name", //              11
      "  folded:", //                               12
      "    prompt: >-", //                          13
      "      first part", //                        14
      "      second part", //                       15
      "", //                                        16
      "      new paragraph", //                     17
    ),
  );

  it("maps lines and columns of a | block scalar to the file", () => {
    // Value: "Summarise <%= it.steps.collect %>\n  indented\n\nbroken <% if (x) { %>\n"
    assert.deepEqual(document.locateInScalar(["steps", "draft", "prompt"], 0, 10), { line: 4, column: 17 });
    assert.deepEqual(document.locateInScalar(["steps", "draft", "prompt"], 1, 2), { line: 5, column: 9 });
    assert.deepEqual(document.locateInScalar(["steps", "draft", "prompt"], 3, 7), { line: 7, column: 14 });
  });

  it("maps a column of a quoted or plain one-line scalar", () => {
    assert.deepEqual(document.locateInScalar(["steps", "quoted", "prompt"], 0, 3), { line: 9, column: 17 });
    assert.deepEqual(document.locateInScalar(["steps", "plain", "prompt"], 0, 3), { line: 11, column: 16 });
  });

  it("follows folding in a > block scalar", () => {
    // Value: "first part second part\nnew paragraph"
    assert.deepEqual(document.locateInScalar(["steps", "folded", "prompt"], 0, 11), { line: 15, column: 7 });
    assert.deepEqual(document.locateInScalar(["steps", "folded", "prompt"], 1, 4), { line: 17, column: 11 });
  });

  it("falls back to the node when the path is not a string", () => {
    assert.deepEqual(document.locateInScalar(["steps", "draft"], 0, 0), { line: 3, column: 5 });
  });
});
