import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildStepGraph } from "../../src/pipeline/graph.js";

const graphOf = (entries: Record<string, string[]>) => buildStepGraph(new Map(Object.entries(entries)));

describe("buildStepGraph", () => {
  it("orders steps after their needs, keeping file order among ready steps", () => {
    const { graph, problems } = graphOf({ draft: ["collect"], collect: [], headline: ["collect"], announce: ["draft", "headline"], lint: [] });
    assert.deepEqual(problems, []);
    assert.deepEqual(graph?.order, ["collect", "draft", "headline", "announce", "lint"]);
  });

  it("answers which steps are upstream, transitively", () => {
    const { graph } = graphOf({ a: [], b: ["a"], c: ["b"], d: [] });
    assert.deepEqual([...graph!.upstreamOf("c")].sort(), ["a", "b"]);
    assert.deepEqual([...graph!.upstreamOf("d")], []);
    assert.equal(graph!.upstreamOf("c").has("a"), true);
    assert.equal(graph!.upstreamOf("a").has("c"), false);
    assert.equal(graph!.upstreamOf("c").has("d"), false);
    assert.equal(graph!.upstreamOf("c").has("c"), false);
  });

  it("answers every upstream question of random DAGs as a plain search does", () => {
    let state = 7;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4_294_967_296);
    for (let round = 0; round < 20; round++) {
      const names = Array.from({ length: 40 }, (_, index) => `s${index}`);
      // Needs point only to earlier names (so there is no cycle); listed in a shuffled file order.
      const needs = new Map(names.map((name, index) => [name, names.slice(0, index).filter(() => random() < 0.06)]));
      const entries = Object.fromEntries([...needs].sort(() => random() - 0.5));
      const { graph } = graphOf(entries);
      const reachable = (from: string): Set<string> => {
        const seen = new Set<string>();
        const queue = [...needs.get(from)!];
        while (queue.length > 0) {
          const next = queue.pop()!;
          if (!seen.has(next)) queue.push(...needs.get(seen.add(next) && next)!);
        }
        return seen;
      };
      // Questions in a random order, so answers remembered from earlier questions are exercised.
      const questions = names.flatMap((from) => names.map((to) => [from, to] as const)).sort(() => random() - 0.5);
      for (const [from, to] of questions) assert.equal(graph!.upstreamOf(from).has(to), reachable(from).has(to), `round ${round}: is ${to} upstream of ${from}?`);
      for (const name of names) assert.deepEqual(new Set(graph!.upstreamOf(name)), reachable(name), `round ${round}: upstream of ${name}`);
    }
  });

  it("reports unknown needs with a suggestion and their index", () => {
    const { graph, problems } = graphOf({ collect: [], draft: ["colect"] });
    assert.equal(graph, undefined);
    assert.deepEqual(problems, [
      { kind: "unknown-need", step: "draft", needIndex: 0, message: 'unknown step "colect"', suggestion: 'did you mean "collect"?' },
    ]);
  });

  it("reports a step needing itself", () => {
    const { problems } = graphOf({ a: ["a"] });
    assert.equal(problems[0]?.kind, "self-need");
  });

  it("prints the cycle as a closed path", () => {
    const { graph, problems } = graphOf({ a: ["c"], b: ["a"], c: ["b"], d: [] });
    assert.equal(graph, undefined);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.kind, "cycle");
    const path = problems[0]!.message.replace("dependency cycle: ", "").split(" → ");
    assert.equal(path.length, 4);
    assert.equal(path[0], path[3]);
    assert.deepEqual(new Set(path), new Set(["a", "b", "c"]));
    // Each arrow goes from a step to one that needs it.
    const needs: Record<string, string[]> = { a: ["c"], b: ["a"], c: ["b"] };
    for (let index = 0; index < 3; index++) assert.ok(needs[path[index + 1]!]!.includes(path[index]!), problems[0]!.message);
  });

  it("handles a thousand-step chain", () => {
    const entries: Record<string, string[]> = {};
    for (let index = 0; index < 1000; index++) entries[`s${index}`] = index === 0 ? [] : [`s${index - 1}`];
    const { graph } = graphOf(entries);
    assert.equal(graph?.order.length, 1000);
    assert.equal(graph?.order[999], "s999");
    assert.equal([...graph!.upstreamOf("s999")].length, 999);
    assert.equal(graph!.upstreamOf("s999").has("s0"), true);
  });
});
