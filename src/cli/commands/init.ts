import { existsSync } from "node:fs";
import path from "node:path";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { scaffoldProject } from "../../project/scaffold.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import type { Command } from "../main.js";

const usage = "orch init [DIR]   (default: the current folder)";

/** The pipeline the template ships; the printed commands name it. */
const scaffoldedPipeline = "pipelines/summarise.yaml";

const flags = defineFlags({});

export const initCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { positionals } = parseCommandArguments(args, flags, usage);
    if (positionals.length > 1) throw new UsageError({ message: `expected at most one folder, got ${positionals.length}`, hint: `usage: ${usage}` });
    const directory = positionals[0] ?? ".";
    const result = scaffoldProject(directory);
    for (const file of result.created) output.out(`${output.style.green("created")}  ${path.join(directory, file)}`);
    for (const file of result.extended) output.out(`${output.style.yellow("extended")} ${path.join(directory, file)} (orch's entries appended)`);
    if (!existsSync(path.join(result.directory, "node_modules", "orch", "package.json"))) {
      output.out(["", "Install orch into the project, so the $schema lines resolve in your editor and CI finds it:", "  npm install --save-dev orch"].join("\n"));
    }
    const enter = path.resolve(directory) === process.cwd() ? [] : [`  cd ${directory}`];
    output.out(["", "Try it (offline, nothing is paid):", ...enter, `  npx orch plan ${scaffoldedPipeline}`, `  npx orch run ${scaffoldedPipeline}`].join("\n"));
    return exitCodes.success;
  },
};
