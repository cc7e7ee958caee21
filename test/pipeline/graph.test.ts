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

  it("computes transitive upstream sets", () => {
    const { graph } = graphOf({ a: [], b: ["a"], c: ["b"], d: [] });
    assert.deepEqual([...graph!.upstream.get("c")!].sort(), ["a", "b"]);
    assert.deepEqual([...graph!.upstream.get("d")!], []);
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
    assert.equal(graph?.upstream.get("s999")?.size, 999);
  });
});
