/**
 * Runs one orch command in this process (started fresh by the bench, so its peak memory is the
 * command's own) and writes { ms, peakRssMiB, code } to the file named by BENCH_RESULT. The time
 * counts the command only: with BENCH_WARM (the same command on a one-step pipeline, given as the
 * pipeline file to swap in), the modules are loaded and compiled by tsx before the clock starts.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { main } from "../../../src/cli/main.js";
import { createStyle, type CliOutput } from "../../../src/cli/output.js";

const output: CliOutput = { out: () => undefined, err: () => undefined, interactive: false, style: createStyle(false), env: { CI: "true" }, stdout: process.stdout };
const args = process.argv.slice(2);
if (process.env.BENCH_WARM) await main(args.map((arg) => (arg.endsWith("pipeline.yaml") ? process.env.BENCH_WARM! : arg)), output);
const started = performance.now();
const code = await main(args, output);
const ms = performance.now() - started;
writeFileSync(process.env.BENCH_RESULT!, JSON.stringify({ ms, code, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
