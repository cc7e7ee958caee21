import path from "node:path";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { layoutGraph, loadPipelineGraph, renderDot, renderGraphHtml, renderGraphText, renderSvg, type PipelineGraph } from "../../report/graph/index.js";
import { writeFileAtomically } from "../../store/atomic-write.js";
import { openStore } from "../../store/index.js";
import { defineFlags, exactlyOne, parseCommandArguments } from "../arguments.js";
import { databaseFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch graph <pipeline> [-o FILE.svg|.html|.dot|.json] [--format text|dot|svg|html|json] [--run RUN_ID|latest] [--db FILE]";

const formats = ["text", "dot", "svg", "html", "json"] as const;
type GraphFormat = (typeof formats)[number];

const flags = defineFlags({
  output: { type: "string", short: "o", placeholder: "FILE", description: "write to this file; its extension (.svg, .html, .dot, .json) picks the format", defaultText: "print to the terminal" },
  format: { type: "string", placeholder: "text|dot|svg|html|json", description: "output format", defaultText: "from -o's extension, else text" },
  run: { type: "string", placeholder: "RUN_ID|latest", description: "colour each step by this run's status, model and cost" },
  db: databaseFlag,
});

export const graphCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      flags,
      usage,
    );
    const pipelineFile = exactlyOne(positionals, "pipeline file", usage);
    const format = formatOf(values.format, values.output);
    let graph: PipelineGraph;
    if (values.run === undefined) graph = await loadPipelineGraph(pipelineFile);
    else {
      const store = await openStore((await resolveProject(output.env)).databaseFile(values.db));
      try {
        graph = await loadPipelineGraph(pipelineFile, { store, runId: values.run });
      } finally {
        await store.close();
      }
    }
    const rendered = render(graph, format);
    if (values.output === undefined) output.out(rendered.trimEnd());
    else {
      await writeFileAtomically(values.output, rendered);
      output.out(`graph of ${graph.pipeline} (${graph.nodes.length} steps, ${graph.edges.length} edges${graph.runId ? `, run ${graph.runId}` : ""}) written to ${values.output}`);
    }
    return exitCodes.success;
  },
};

function formatOf(flag: string | undefined, outputFile: string | undefined): GraphFormat {
  if (flag !== undefined) {
    if ((formats as readonly string[]).includes(flag)) return flag as GraphFormat;
    throw new UsageError({ message: `--format expects one of ${formats.join(", ")}, got "${flag}"` });
  }
  if (outputFile === undefined) return "text";
  const extension = path.extname(outputFile).slice(1).toLowerCase();
  if (extension === "gv") return "dot";
  if (extension === "htm") return "html";
  if ((formats as readonly string[]).includes(extension) && extension !== "text") return extension as GraphFormat;
  throw new UsageError({ message: `cannot tell the format of "${outputFile}" from its extension`, hint: "use .svg, .html, .dot or .json, or pass --format" });
}

function render(graph: PipelineGraph, format: GraphFormat): string {
  switch (format) {
    case "text":
      return `${renderGraphText(graph).join("\n")}\n`;
    case "dot":
      return renderDot(graph);
    case "svg":
      return `${renderSvg(layoutGraph(graph))}\n`;
    case "html":
      return renderGraphHtml(layoutGraph(graph));
    case "json":
      return `${JSON.stringify(layoutGraph(graph), null, 2)}\n`;
  }
}
