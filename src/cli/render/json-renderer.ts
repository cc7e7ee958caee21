/** `--json`: one event per line on stdout, exactly as the executor emitted it, for machines. */
import type { RunEvent } from "../../executor/events.js";
import type { CliOutput } from "../output.js";
import type { RunRenderer } from "./choose-renderer.js";

export function createJsonRenderer(output: CliOutput): RunRenderer {
  return {
    onEvent: (event: RunEvent) => output.out(JSON.stringify(event)),
    onInterrupt: () => output.err("interrupted: aborting calls in flight"),
    async finish() {},
  };
}
