import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffLines, splitLines, unifiedDiff } from "../../src/report/call-log/line-diff.js";

const labels = { from: "a", to: "b" };

/** Longest common subsequence length by dynamic programming: the size of a minimal diff's kept part, found independently. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) table[i]![j] = a[i - 1] === b[j - 1] ? table[i - 1]![j - 1]! + 1 : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
  }
  return table[a.length]![b.length]!;
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("line diff", () => {
  it("prints a changed line with its context, as diff -u does", () => {
    assert.deepEqual(unifiedDiff("one\ntwo\nthree", "one\n2\nthree", labels), ["--- a", "+++ b", "@@ -1,3 +1,3 @@", " one", "-two", "+2", " three"]);
  });

  it("keeps three lines of context and splits distant changes into hunks", () => {
    const before = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"].join("\n");
    const after = ["1", "two", "3", "4", "5", "6", "7", "8", "9", "10", "eleven", "12"].join("\n");
    assert.deepEqual(unifiedDiff(before, after, labels), [
      "--- a",
      "+++ b",
      "@@ -1,5 +1,5 @@",
      " 1",
      "-2",
      "+two",
      " 3",
      " 4",
      " 5",
      "@@ -8,5 +8,5 @@",
      " 8",
      " 9",
      " 10",
      "-11",
      "+eleven",
      " 12",
    ]);
  });

  it("merges changes whose gap is at most two contexts into one hunk", () => {
    const before = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].join("\n");
    const after = ["x", "2", "3", "4", "5", "6", "7", "y", "9"].join("\n");
    assert.deepEqual(unifiedDiff(before, after, labels), ["--- a", "+++ b", "@@ -1,9 +1,9 @@", "-1", "+x", " 2", " 3", " 4", " 5", " 6", " 7", "-8", "+y", " 9"]);
  });

  it("names the line before an empty side, and is empty for equal texts", () => {
    assert.deepEqual(unifiedDiff("", "new", labels), ["--- a", "+++ b", "@@ -0,0 +1,1 @@", "+new"]);
    assert.deepEqual(unifiedDiff("a\nb", "a", labels), ["--- a", "+++ b", "@@ -1,2 +1,1 @@", " a", "-b"]);
    assert.deepEqual(unifiedDiff("same\ntext", "same\ntext", labels), []);
  });

  it("finds a minimal edit script that rebuilds both texts (seeded random cases against an LCS table)", () => {
    const next = random(12);
    for (let round = 0; round < 300; round++) {
      const line = () => "abcd"[Math.floor(next() * 4)]!;
      const a = Array.from({ length: Math.floor(next() * 12) }, line);
      const b = Array.from({ length: Math.floor(next() * 12) }, line);
      const script = diffLines(a, b);
      const context = `seed 12 round ${round}: ${JSON.stringify({ a, b })}`;
      assert.deepEqual(script.filter((entry) => entry.kind !== "added").map((entry) => entry.text), a, context);
      assert.deepEqual(script.filter((entry) => entry.kind !== "removed").map((entry) => entry.text), b, context);
      assert.equal(script.filter((entry) => entry.kind === "same").length, lcsLength(a, b), context);
    }
  });

  it("splits text on newlines, an empty text into no line", () => {
    assert.deepEqual(splitLines(""), []);
    assert.deepEqual(splitLines("a\n"), ["a", ""]);
  });
});
