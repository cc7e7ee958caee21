/**
 * The CLI entry: picks the command, and is the only place that turns an error into a message
 * and an exit code. Commands are imported lazily so `orch validate` never loads the SDKs.
 */
import { ConfigError } from "../config/diagnostic.js";
import { OrchError, UsageError, exitCodes } from "../errors/orch-error.js";
import { scrubRegisteredSecrets } from "../secrets/redact.js";
import type { FlagTable } from "./arguments.js";
import { errorAnnotation, inGitHubActions } from "./github-actions.js";
import { createOutput, type CliOutput } from "./output.js";

export interface Command {
  usage: string;
  /** The one table the parser reads and `--help` prints. */
  flags: FlagTable;
  run(args: string[], output: CliOutput): Promise<number>;
}

/** Summaries live here, not in the command modules, so `orch help` loads none of them. */
export const commands: Record<string, { summary: string; load: () => Promise<Command>; countsTokens?: true }> = {
  init: {
    summary: "scaffold a project that runs offline at once: pipeline, policy, prompt, .env.example, .gitignore, GitHub Actions workflow",
    load: async () => (await import("./commands/init.js")).initCommand,
  },
  validate: {
    summary: "check pipelines and routing policies (every error, with file:line:column), spending nothing",
    load: async () => (await import("./commands/validate.js")).validateCommand,
  },
  plan: {
    summary: "show the DAG in execution order, the route of every step and the cost range; no call is made",
    load: async () => (await import("./commands/plan.js")).planCommand,
    countsTokens: true,
  },
  run: {
    summary: "validate, then run a pipeline: steps in parallel, every call routed, budgeted and recorded",
    load: async () => (await import("./commands/run.js")).runCommand,
    countsTokens: true,
  },
  route: {
    summary: "show where a request would go now (budget left, providers reachable), and why with --explain; nothing is called",
    load: async () => (await import("./commands/route.js")).routeCommand,
    countsTokens: true,
  },
  policy: {
    summary: "test a routing policy against its cases (request → expected route); exit 1 on any mismatch",
    load: async () => (await import("./commands/policy-test.js")).policyCommand,
  },
  backtest: {
    summary: "replay recorded requests under another policy: pass rate and cost against what happened, per step, exact or estimated",
    load: async () => (await import("./commands/backtest.js")).backtestCommand,
  },
  tune: {
    summary: "search recorded history for the cheapest chain of models reaching a target pass rate, checked on held-out requests; prints a policy snippet",
    load: async () => (await import("./commands/tune.js")).tuneCommand,
  },
  budget: {
    summary: "show each budget's limit, spent, reserved, expired and left (run, day, month, pipelines, tags) and the alerts raised",
    load: async () => (await import("./commands/budget.js")).budgetCommand,
  },
  db: {
    summary: "copy a SQLite store (runs, calls, ledger, cache) into an empty PostgreSQL store shared by a team",
    load: async () => (await import("./commands/db.js")).dbCommand,
  },
  cache: {
    summary: "show what the answer cache holds and saved, or clear it (all, or entries older than a duration)",
    load: async () => (await import("./commands/cache.js")).cacheCommand,
  },
  batch: {
    summary: "the batches sent to vendors' batch APIs and their calls (status), or fetch the answers of pending ones so --resume records them (collect)",
    load: async () => (await import("./commands/batch.js")).batchCommand,
  },
  report: {
    summary: "spend, tokens, local share, cache hits, budget use, latency and escalations from the database, with recommendations",
    load: async () => (await import("./commands/report.js")).reportCommand,
  },
  runs: {
    summary: "recent runs: pipeline, status, cost, duration, start; filter by --pipeline, --status, --since",
    load: async () => (await import("./commands/runs.js")).runsCommand,
  },
  show: {
    summary: "one run's steps; for a step, the prompt sent, the route with every candidate's reason, each attempt's answer, checks and cost",
    load: async () => (await import("./commands/show.js")).showCommand,
  },
  diff: {
    summary: "what changed between two runs, step by step: prompt, model and why, output, checks, cost (text or --format markdown)",
    load: async () => (await import("./commands/diff.js")).diffCommand,
  },
  graph: {
    summary: "draw the pipeline's DAG (SVG, HTML, Graphviz DOT, JSON layout); with --run, each step's status, model and cost",
    load: async () => (await import("./commands/graph.js")).graphCommand,
  },
  providers: {
    summary: "which providers the policy configures, whether their keys are set and they answer; exit 1 if one it needs is unusable",
    load: async () => (await import("./commands/providers.js")).providersCommand,
  },
  "fake-server": {
    summary: "serve fake OpenAI, OpenRouter, Anthropic, Gemini and Ollama APIs on 127.0.0.1, for offline CI",
    load: async () => (await import("./commands/fake-server.js")).fakeServerCommand,
  },
  serve: {
    summary: "dashboard (spend, budgets, runs with their live DAG, models) and a JSON API (start runs, route, budgets) on 127.0.0.1",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
  watch: {
    summary: "run, then rerun what changed whenever the pipeline, its policy, prompts or context files change",
    load: async () => (await import("./commands/watch.js")).watchCommand,
  },
};

export async function main(args: string[], output: CliOutput = createOutput()): Promise<number> {
  const [name, ...rest] = args;
  try {
    if (name === "help" && rest.length > 0) return await helpOn(rest, output);
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      output.out(helpText());
      return name === undefined ? exitCodes.invalidConfigOrUsage : exitCodes.success;
    }
    const entry = commands[name];
    if (!entry) {
      const { didYouMean } = await import("../config/suggest.js");
      throw new UsageError({ message: `unknown command "${name}"`, hint: didYouMean(name, Object.keys(commands)) ?? "run `orch help` for the list" });
    }
    // The tokenizer loads on a worker thread while the command reads its configuration (issue 11).
    if (entry.countsTokens) (await import("../policy/estimate-tokens.js")).preloadTokenizer();
    const command = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      const { commandHelp } = await import("./help.js");
      output.out(commandHelp(entry.summary, command));
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
    // The runner reads workflow commands from stdout and pins each on its file and line.
    if (inGitHubActions(output.env)) for (const diagnostic of error.diagnostics) output.out(errorAnnotation(diagnostic, output.env));
    output.err(`${error.diagnostics.length === 1 ? "1 error" : `${error.diagnostics.length} errors`}; nothing was run.`);
    return error.exitCode;
  }
  if (OrchError.isInstance(error)) {
    output.err(scrubRegisteredSecrets(`orch: ${error.message}`));
    if (error.hint) output.err(scrubRegisteredSecrets(`hint: ${error.hint}`));
    return error.exitCode;
  }
  // A bug of ours: say so plainly, with the stack only when asked for.
  const message = error instanceof Error ? error.message : String(error);
  output.err(scrubRegisteredSecrets(`orch: internal error: ${message}`));
  if (process.env.ORCH_DEBUG) output.err(error instanceof Error ? (error.stack ?? "") : "");
  else output.err("hint: set ORCH_DEBUG=1 for details, and please report it");
  return exitCodes.stepFailed;
}

/** `orch help <command>` is `orch <command> --help`; `orch help <topic>` prints a topic. */
async function helpOn([subject, ...extra]: string[], output: CliOutput): Promise<number> {
  if (extra.length > 0) throw new UsageError({ message: `unexpected argument "${extra[0]}"`, hint: "usage: orch help [COMMAND|TOPIC]" });
  const entry = commands[subject!];
  if (entry) {
    const { commandHelp } = await import("./help.js");
    output.out(commandHelp(entry.summary, await entry.load()));
    return exitCodes.success;
  }
  const { helpTopics } = await import("./help-topics.js");
  const topic = helpTopics[subject!];
  if (!topic) {
    const { didYouMean } = await import("../config/suggest.js");
    const known = [...Object.keys(helpTopics), ...Object.keys(commands)];
    throw new UsageError({ message: `no help on "${subject}"`, hint: didYouMean(subject!, known) ?? `topics: ${Object.keys(helpTopics).join(", ")}; or a command name` });
  }
  output.out(topic.text);
  return exitCodes.success;
}

function helpText(): string {
  const lines = ["orch — declarative LLM pipelines with cost-aware routing", "", "commands:"];
  for (const [name, { summary }] of Object.entries(commands)) lines.push(`  ${name.padEnd(11)} ${summary}`);
  lines.push("", "exit codes: 0 success · 1 a step failed · 2 invalid config or usage · 3 stopped by budget or deferred · 130 interrupted");
  lines.push("run `orch <command> --help` for a command's flags; `orch help exit-codes`, `orch help config`, `orch help templates` for the topics");
  return lines.join("\n");
}
