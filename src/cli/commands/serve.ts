import path from "node:path";
import { exitCodes } from "../../errors/orch-error.js";
import { resolveProject } from "../../project/resolve-project.js";
import { startServer } from "../../serve/server.js";
import { defineFlags, noPositionals, parseCommandArguments, positiveInteger } from "../arguments.js";
import { databaseFlag, policyFlag } from "../common-flags.js";
import type { Command } from "../main.js";

const usage = "orch serve [--port N (default 8417; 0: any free port)] [--host ADDRESS (default 127.0.0.1)] [--db FILE] [--policy FILE] [--project DIR]";

const flags = defineFlags({
  port: { type: "string", placeholder: "N", description: "port to listen on (0: any free port)", defaultText: "8417" },
  host: { type: "string", placeholder: "ADDRESS", description: "address to bind; anything but loopback exposes the dashboard and API to the network", defaultText: "127.0.0.1" },
  db: databaseFlag,
  policy: policyFlag,
  project: { type: "string", placeholder: "DIR", description: "the project whose pipelines the API may run", defaultText: "the working directory's project" },
});

export const serveCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    noPositionals(positionals, usage);
    const port = values.port === "0" ? 0 : (positiveInteger(values.port, "--port", 65_535) ?? 8417);
    const project = await resolveProject(output.env, values.project === undefined ? process.cwd() : path.resolve(values.project));
    const token = output.env.ORCH_SERVE_TOKEN;
    const server = await startServer({
      project,
      env: output.env,
      databaseFile: project.databaseFile(values.db),
      ...(values.policy === undefined ? {} : { policyFlag: values.policy }),
      host: values.host ?? "127.0.0.1",
      port,
      ...(token === undefined || token === "" ? {} : { token }),
    });
    output.out(`orch serve: dashboard and API on ${server.url} (project ${project.root})`);
    output.out(token ? "POST /api/runs accepts Authorization: Bearer $ORCH_SERVE_TOKEN." : "Starting runs through the API is disabled: set ORCH_SERVE_TOKEN to enable it.");
    output.out("Ctrl-C stops it (runs it started are interrupted, resumable with orch run --resume).");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    await server.close();
    return exitCodes.success;
  },
};
