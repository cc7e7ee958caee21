import { exitCodes } from "../../errors/orch-error.js";
import { runFakeServer } from "../../fake-server/main.js";
import { parseCommandArguments, positiveInteger } from "../arguments.js";
import type { Command } from "../main.js";

const usage = "orch fake-server [--script FILE.json] [--port N]";

export const fakeServerCommand: Command = {
  usage,
  async run(args, output) {
    const { values } = parseCommandArguments(args, { script: { type: "string" }, port: { type: "string" } }, usage);
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
