import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { closestMatch, didYouMean } from "../../src/config/suggest.js";

describe("closestMatch", () => {
  const cases: [word: string, candidates: string[], expected: string | undefined][] = [
    ["need", ["needs", "task", "prompt"], "needs"],
    ["promt", ["needs", "task", "prompt"], "prompt"],
    ["ecnomy", ["economy", "standard", "premium"], "economy"],
    ["Needs", ["needs", "task"], "needs"],
    ["xyz", ["needs", "task"], undefined],
    ["task", ["task", "tasks"], undefined],
    ["gpt4-mini", ["gpt-4o-mini", "claude"], "gpt-4o-mini"],
    ["ab", ["abc", "ax"], "abc"],
  ];
  for (const [word, candidates, expected] of cases) {
    it(`${word} → ${String(expected)}`, () => {
      assert.equal(closestMatch(word, candidates), expected);
    });
  }

  it("breaks ties by letter case, then by order", () => {
    assert.equal(closestMatch("Mode", ["mods", "Model"]), "Model");
    assert.equal(closestMatch("cat", ["bat", "hat"]), "bat");
  });

  it("counts a swap of neighbours as one edit", () => {
    // Plain Levenshtein makes this 2 edits, too far for a 5-letter word.
    assert.equal(closestMatch("nedes", ["needs"]), "needs");
  });
});

describe("didYouMean", () => {
  it("words the suggestion, or gives nothing", () => {
    assert.equal(didYouMean("colect", ["collect", "draft"]), 'did you mean "collect"?');
    assert.equal(didYouMean("zzz", ["collect", "draft"]), undefined);
  });
});
