// The CLI as a process, from sources (the shipped bin runs the compiled dist/ instead).
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
