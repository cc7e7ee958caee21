/**
 * A line diff (Myers' O(ND) algorithm) and its unified rendering, for `orch diff`.
 *
 * Pre: texts are split on "\n" (a trailing newline yields a last empty line on both sides alike).
 * Post: the edit script keeps every line of both texts in order; removals come before additions
 * within a change, as `diff -u` prints them. The common head and tail are cut off first, so two
 * long outputs that differ in one place cost next to nothing. Past `maximumEdits` differing lines
 * the search stops and the middle is reported as removed then added: still correct, less minimal,
 * and bounded in memory (the trace grows with the square of the edit distance).
 */

export interface DiffLine {
  kind: "same" | "removed" | "added";
  text: string;
}

const maximumEdits = 4000;

export function splitLines(text: string): string[] {
  return text === "" ? [] : text.split("\n");
}

export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const same = (text: string): DiffLine => ({ kind: "same", text });
  return [
    ...before.slice(0, start).map(same),
    ...middleOf(before.slice(start, endBefore), after.slice(start, endAfter)),
    ...before.slice(endBefore).map(same),
  ];
}

/** Myers: for each edit count d, the furthest x reached on each diagonal k = x - y; then back through the trace. */
function middleOf(a: readonly string[], b: readonly string[]): DiffLine[] {
  const removedAll = (): DiffLine[] => [...a.map((text) => ({ kind: "removed" as const, text })), ...b.map((text) => ({ kind: "added" as const, text }))];
  if (a.length === 0 || b.length === 0) return removedAll();
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const furthest = new Int32Array(2 * offset + 1);
  // trace[d]: the furthest x per diagonal before edit d, for diagonals -(d+1)..d+1 (index k + d + 1).
  const trace: Int32Array[] = [];
  let edits = -1;
  search: for (let d = 0; d <= Math.min(n + m, maximumEdits); d++) {
    trace.push(furthest.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && furthest[offset + k - 1]! < furthest[offset + k + 1]!);
      let x = down ? furthest[offset + k + 1]! : furthest[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      furthest[offset + k] = x;
      if (x >= n && y >= m) {
        edits = d;
        break search;
      }
    }
  }
  if (edits < 0) return removedAll();

  const script: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = edits; d > 0; d--) {
    const before = trace[d]!;
    const at = (k: number) => before[k + d + 1]!;
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) script.push({ kind: "same", text: a[--x]! }), y--;
    if (x === previousX) script.push({ kind: "added", text: b[--y]! });
    else script.push({ kind: "removed", text: a[--x]! });
  }
  while (x > 0 && y > 0) script.push({ kind: "same", text: a[--x]! }), y--;
  return script.reverse();
}

/**
 * `diff -u` text: `--- from`, `+++ to`, then hunks with `context` lines around each change.
 * Empty when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string[] {
  if (before === after) return [];
  const script = diffLines(splitLines(before), splitLines(after));
  const changed = script.flatMap((line, index) => (line.kind === "same" ? [] : [index]));
  const lines = [`--- ${labels.from}`, `+++ ${labels.to}`];
  // Hunks: runs of changes whose gaps are at most two contexts long, with their context around.
  let index = 0;
  while (index < changed.length) {
    let last = index;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= 2 * context + 1) last++;
    const from = Math.max(0, changed[index]! - context);
    const to = Math.min(script.length, changed[last]! + context + 1);
    lines.push(...hunk(script, from, to));
    index = last + 1;
  }
  return lines;
}

function hunk(script: readonly DiffLine[], from: number, to: number): string[] {
  const count = (kinds: readonly DiffLine["kind"][], end: number) => script.slice(0, end).filter((line) => kinds.includes(line.kind)).length;
  const beforeStart = count(["same", "removed"], from);
  const afterStart = count(["same", "added"], from);
  const body = script.slice(from, to);
  const beforeCount = body.filter((line) => line.kind !== "added").length;
  const afterCount = body.filter((line) => line.kind !== "removed").length;
  // As diff -u: an empty side names the line before it.
  const range = (start: number, length: number) => `${length === 0 ? start : start + 1},${length}`;
  const marks = { same: " ", removed: "-", added: "+" } as const;
  return [`@@ -${range(beforeStart, beforeCount)} +${range(afterStart, afterCount)} @@`, ...body.map((line) => `${marks[line.kind]}${line.text}`)];
}
