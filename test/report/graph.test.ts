import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import type { GraphLayout } from "../../src/report/graph/index.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const diamond = `version: 1
name: diamond
steps:
  fetch: { task: analysis, quality: economy, prompt: "Fetch." }
  left: { needs: [fetch], task: writing, prompt: "Left of <%= it.steps.fetch.output %>" }
  right: { needs: [fetch], task: code, language: typescript, quality: premium, model: dear, prompt: "Right." }
  join: { needs: [left, right], task: writing, prompt: "Join." }
`;
const edges = [
  ["fetch", "left"],
  ["fetch", "right"],
  ["left", "join"],
  ["right", "join"],
];

describe("orch graph", () => {
  let directory: string;
  let pipeline: string;
  let db: string;
  before(() => {
    directory = writeProject({ "diamond.yaml": diamond, "cycle.yaml": diamond.replace("needs: [fetch], task: writing", "needs: [fetch, join], task: writing") });
    pipeline = path.join(directory, "diamond.yaml");
    db = path.join(directory, "orch.db");
    // One recorded run: fetch succeeded, left failed after two attempts, right was stopped by the budget, join skipped.
    const store = openSqliteStore(db);
    const { runs } = store.repositories;
    const ids = runs.createRun(
      { id: "run-1", pipelineName: "diamond", pipelinePath: pipeline, inputs: {}, startedAt: "2025-03-03T09:00:00.000Z", processId: 1 },
      ["fetch", "left", "right", "join"],
    );
    const finish = (step: string, status: "succeeded" | "failed" | "budget_stopped" | "skipped", call?: { provider: string; model: string; costUsd: number; attempts: number }) =>
      runs.finishStep(ids.get(step)!, {
        status,
        finishedAt: "2025-03-03T09:01:00.000Z",
        ...(call ? { provider: call.provider, model: call.model } : {}),
        attempts: call?.attempts ?? 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: call?.costUsd ?? 0,
      });
    finish("fetch", "succeeded", { provider: "openai", model: "gpt-mini", costUsd: 0.0021, attempts: 1 });
    finish("left", "failed", { provider: "anthropic", model: "claude", costUsd: 0.013, attempts: 2 });
    finish("right", "budget_stopped");
    finish("join", "skipped");
    runs.finishRun("run-1", "failed", "2025-03-03T09:01:00.000Z", 1);
    store.database.close();
  });

  it("draws an SVG with every step as a node and every need as an edge with an arrowhead", async () => {
    const file = path.join(directory, "out/graph.svg");
    const { code, stdout } = await runCliInProcess(["graph", pipeline, "-o", file]);
    assert.equal(code, 0);
    assert.match(stdout, /graph of diamond \(4 steps, 4 edges\) written to .*graph\.svg/);
    const svg = readFileSync(file, "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const step of ["fetch", "left", "right", "join"]) {
      assert.match(svg, new RegExp(`<g class="node" data-step="${step}"><rect [^>]+/><text [^>]+>${step}</text>`));
    }
    for (const [from, to] of edges) assert.match(svg, new RegExp(`<path class="edge" data-from="${from}" data-to="${to}" d="M [^"]+ L [^"]+" [^>]*marker-end="url\\(#orch-arrow\\)"/>`));
    assert.equal((svg.match(/<path class="edge"/g) ?? []).length, 4);
    assert.match(svg, /<marker id="orch-arrow"/);
    assert.match(svg, />code\/typescript · premium<\/text><text [^>]+>pinned dear<\/text>/);
    assert.equal((svg.match(/<g /g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  });

  it("writes the dagre layout as JSON: ranks top to bottom, edges from the source's bottom to the target's top", async () => {
    const file = path.join(directory, "graph.json");
    assert.equal((await runCliInProcess(["graph", pipeline, "-o", file])).code, 0);
    const layout = JSON.parse(readFileSync(file, "utf8")) as GraphLayout;
    assert.equal(layout.pipeline, "diamond");
    assert.deepEqual(layout.nodes.map((node) => node.id), ["fetch", "left", "right", "join"]);
    assert.deepEqual(layout.edges.map((edge) => [edge.from, edge.to]), edges);
    const node = new Map(layout.nodes.map((placed) => [placed.id, placed]));
    const y = (id: string) => node.get(id)!.y;
    assert.ok(y("fetch") < y("left") && y("left") === y("right") && y("right") < y("join"));
    for (const placed of layout.nodes) {
      assert.ok(placed.x - placed.width / 2 >= 0 && placed.x + placed.width / 2 <= layout.width, placed.id);
      assert.ok(placed.y - placed.height / 2 >= 0 && placed.y + placed.height / 2 <= layout.height, placed.id);
    }
    for (const edge of layout.edges) {
      const first = edge.points[0]!;
      const last = edge.points[edge.points.length - 1]!;
      const source = node.get(edge.from)!;
      const target = node.get(edge.to)!;
      assert.ok(Math.abs(first.y - (source.y + source.height / 2)) < 1, `${edge.from} → ${edge.to} starts at the source`);
      assert.ok(Math.abs(last.y - (target.y - target.height / 2)) < 1, `${edge.from} → ${edge.to} ends at the target`);
    }
  });

  it("prints Graphviz DOT", async () => {
    const { code, stdout } = await runCliInProcess(["graph", pipeline, "--format", "dot"]);
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        `digraph "diamond" {`,
        `  rankdir=TB;`,
        `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];`,
        `  "fetch" [label="fetch\\nanalysis · economy", fillcolor="#f4f6f8", color="#6b7b8c"];`,
        `  "left" [label="left\\nwriting · standard", fillcolor="#f4f6f8", color="#6b7b8c"];`,
        `  "right" [label="right\\ncode/typescript · premium\\npinned dear", fillcolor="#f4f6f8", color="#6b7b8c"];`,
        `  "join" [label="join\\nwriting · standard", fillcolor="#f4f6f8", color="#6b7b8c"];`,
        `  "fetch" -> "left";`,
        `  "fetch" -> "right";`,
        `  "left" -> "join";`,
        `  "right" -> "join";`,
        `}`,
        ``,
      ].join("\n"),
    );
  });

  it("shows each step's status, model and cost from a recorded run", async () => {
    const text = await runCliInProcess(["graph", pipeline, "--run", "run-1", "--db", db]);
    assert.equal(text.code, 0);
    assert.deepEqual(text.stdout.trimEnd().split("\n"), [
      "diamond: 4 steps, 4 edges · run run-1",
      "  fetch  (analysis · economy) · succeeded · openai:gpt-mini · $0.0021",
      "  left ← fetch  (writing · standard) · failed · anthropic:claude · $0.0130",
      "  right ← fetch  (code/typescript · premium · pinned dear) · budget_stopped",
      "  join ← left, right  (writing · standard) · skipped",
    ]);
    const file = path.join(directory, "run.html");
    assert.equal((await runCliInProcess(["graph", pipeline, "--run", "latest", "--db", db, "-o", file])).code, 0);
    const page = readFileSync(file, "utf8");
    assert.match(page, /<title>diamond · run run-1<\/title>/);
    assert.match(page, /<g class="node" data-step="fetch" data-status="succeeded"><rect [^>]+fill="#e3f6ec" stroke="#2e9e6f"/);
    assert.match(page, /<g class="node" data-step="left" data-status="failed"><rect [^>]+fill="#fbe6e3" stroke="#c0392b"/);
    assert.match(page, /<g class="node" data-step="right" data-status="budget_stopped">/);
    assert.match(page, />failed · anthropic:claude · \$0\.0130<\/text>/);
  });

  it("exits 2 for an unknown run, a run of another pipeline, an unknown format, and a broken pipeline", async () => {
    const unknownRun = await runCliInProcess(["graph", pipeline, "--run", "nope", "--db", db]);
    assert.equal(unknownRun.code, 2);
    assert.match(unknownRun.stderr, /no run "nope"/);
    const other = writeProject({ "other.yaml": diamond.replace("name: diamond", "name: other") });
    const wrongPipeline = await runCliInProcess(["graph", path.join(other, "other.yaml"), "--run", "run-1", "--db", db]);
    assert.equal(wrongPipeline.code, 2);
    assert.match(wrongPipeline.stderr, /run run-1 is of pipeline "diamond", not "other"/);
    const noLatest = await runCliInProcess(["graph", path.join(other, "other.yaml"), "--run", "latest", "--db", db]);
    assert.equal(noLatest.code, 2);
    const png = await runCliInProcess(["graph", pipeline, "-o", "graph.png"]);
    assert.equal(png.code, 2);
    assert.match(png.stderr, /use \.svg, \.html, \.dot or \.json/);
    assert.equal((await runCliInProcess(["graph", pipeline, "--format", "png"])).code, 2);
    assert.equal((await runCliInProcess(["graph"])).code, 2);
    const cycle = await runCliInProcess(["graph", path.join(directory, "cycle.yaml")]);
    assert.equal(cycle.code, 2);
    assert.match(cycle.stderr, /cycle/);
  });
});
