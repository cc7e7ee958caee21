#!/usr/bin/env node
// The `orch` command. `--version` is answered here, before any module loads, so it stays instant;
// everything else goes to the compiled CLI in dist/.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`orch ${version}\n`);
} else {
  let cli;
  try {
    cli = await import("../dist/cli/main.js");
  } catch (error) {
    if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
      process.stderr.write("orch: the compiled CLI is missing (dist/). Run `npm install` (or `npm run build`) in the orch folder.\n");
      process.exit(2);
    }
    throw error;
  }
  process.exitCode = await cli.main(args);
}
