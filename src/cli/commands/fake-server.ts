import { exitCodes } from "../../errors/orch-error.js";
import { runFakeServer } from "../../fake-server/main.js";
import { defineFlags, parseCommandArguments, positiveInteger } from "../arguments.js";
import type { Command } from "../main.js";

const usage = "orch fake-server [--script FILE.json] [--port N]";

const flags = defineFlags({
  script: { type: "string", placeholder: "FILE.json", description: "scripted answers and failures per model (format: README, \"The fake server\")", defaultText: "echo-style answers" },
  port: { type: "string", placeholder: "N", description: "port on 127.0.0.1 to listen on", defaultText: "a free port, printed" },
});

export const fakeServerCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values } = parseCommandArguments(args, flags, usage);
    const port = positiveInteger(values.port, "--port");
    const server = await runFakeServer({
      ...(values.script === undefined ? {} : { scriptPath: values.script }),
      ...(port === undefined ? {} : { port }),
      write: (line) => output.out(line),
    });
    output.out("Ctrl-C stops it.");
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.close();
    return exitCodes.success;
  },
};
