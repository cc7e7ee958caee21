/**
 * The CLI entry: picks the command, and is the only place that turns an error into a message
 * and an exit code. Commands are imported lazily so `orch validate` never loads the SDKs.
 */
import { ConfigError } from "../config/diagnostic.js";
import { OrchError, UsageError, exitCodes } from "../errors/orch-error.js";
import { createOutput, type CliOutput } from "./output.js";

export interface Command {
  summary: string;
  usage: string;
  run(args: string[], output: CliOutput): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  validate: async () => (await import("./commands/validate.js")).validateCommand,
  plan: async () => (await import("./commands/plan.js")).planCommand,
  run: async () => (await import("./commands/run.js")).runCommand,
  route: async () => (await import("./commands/route.js")).routeCommand,
  policy: async () => (await import("./commands/policy-test.js")).policyCommand,
  budget: async () => (await import("./commands/budget.js")).budgetCommand,
  cache: async () => (await import("./commands/cache.js")).cacheCommand,
  report: async () => (await import("./commands/report.js")).reportCommand,
  graph: async () => (await import("./commands/graph.js")).graphCommand,
  providers: async () => (await import("./commands/providers.js")).providersCommand,
  "fake-server": async () => (await import("./commands/fake-server.js")).fakeServerCommand,
  watch: async () => (await import("./commands/watch.js")).watchCommand,
};

export async function main(args: string[], output: CliOutput = createOutput()): Promise<number> {
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      output.out(await helpText());
      return name === undefined ? exitCodes.invalidConfigOrUsage : exitCodes.success;
    }
    const load = commands[name];
    if (!load) {
      const { didYouMean } = await import("../config/suggest.js");
      throw new UsageError({ message: `unknown command "${name}"`, hint: didYouMean(name, Object.keys(commands)) ?? "run `orch help` for the list" });
    }
    const command = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      output.out(`${command.summary}\n\nusage: ${command.usage}`);
      return exitCodes.success;
    }
    return await command.run(rest, output);
  } catch (error) {
    return reportError(error, output);
  }
}

export function reportError(error: unknown, output: CliOutput): number {
  if (error instanceof ConfigError) {
    for (const diagnostic of error.diagnostics) output.err(output.style.diagnostic(diagnostic));
    output.err(`${error.diagnostics.length === 1 ? "1 error" : `${error.diagnostics.length} errors`}; nothing was run.`);
    return error.exitCode;
  }
  if (OrchError.isInstance(error)) {
    output.err(`orch: ${error.message}`);
    if (error.hint) output.err(`hint: ${error.hint}`);
    return error.exitCode;
  }
  // A bug of ours: say so plainly, with the stack only when asked for.
  const message = error instanceof Error ? error.message : String(error);
  output.err(`orch: internal error: ${message}`);
  if (process.env.ORCH_DEBUG) output.err(error instanceof Error ? (error.stack ?? "") : "");
  else output.err("hint: set ORCH_DEBUG=1 for details, and please report it");
  return exitCodes.stepFailed;
}

async function helpText(): Promise<string> {
  const lines = ["orch — declarative LLM pipelines with cost-aware routing", "", "commands:"];
  for (const [name, load] of Object.entries(commands)) {
    const command = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  lines.push("", "exit codes: 0 success · 1 a step failed · 2 invalid config or usage · 3 stopped by budget or deferred · 130 interrupted");
  lines.push("run `orch <command> --help` for a command's flags");
  return lines.join("\n");
}
