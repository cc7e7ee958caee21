/** `orch <command> --help`: the summary, the usage line, and every flag of the table the parser reads. */
import { renderFlagHelp } from "./arguments.js";
import type { Command } from "./main.js";

export function commandHelp(summary: string, command: Command): string {
  const lines = [summary, "", `usage: ${command.usage}`];
  lines.push("", "flags:", ...renderFlagHelp({ ...command.flags, help: { type: "boolean", short: "h", description: "print this help" } }));
  return lines.join("\n");
}
