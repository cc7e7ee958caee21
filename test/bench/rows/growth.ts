/**
 * Growth: validate, plan and run (mock answering at once) of a chain of 100, 1,000 and 10,000 steps
 * and of 10,000 independent steps, each in a fresh process (warmed on a one-step pipeline so the
 * time is the command's, not tsx compiling the sources), as time per step and peak memory.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { temporaryDirectory } from "../../support/cli.js";
import { chain, independent, writePipeline, writePolicy } from "../support/projects.js";

const measureScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "../support/measure-cli.ts");
const tsxLoader = import.meta.resolve("tsx");

export interface CommandFigures {
  ms: number;
  peakRssMiB: number;
}

/** `warm`: a one-step pipeline the same command runs first, untimed, so module loading is not counted. */
export function measureCommand(args: string[], cwd: string, warm?: string): CommandFigures {
  const result = path.join(temporaryDirectory("orch-bench-result-"), "result.json");
  const env = { ...process.env, BENCH_RESULT: result, CI: "true", ...(warm ? { BENCH_WARM: warm } : {}) };
  execFileSync(process.execPath, ["--import", tsxLoader, measureScript, ...args], { cwd, env, stdio: "ignore" });
  const figures = JSON.parse(readFileSync(result, "utf8")) as CommandFigures & { code: number };
  if (figures.code !== 0) throw new Error(`orch ${args.join(" ")} exited ${figures.code}`);
  return figures;
}

export function growthProject(steps: number, shape: "chain" | "independent"): { directory: string; file: string; warm: string } {
  const directory = temporaryDirectory(`orch-bench-${shape}-`);
  const warm = temporaryDirectory(`orch-bench-warm-`);
  writePolicy(directory, { latencyMs: 0 });
  writePolicy(warm, { latencyMs: 0 });
  return { directory, file: writePipeline(directory, steps, shape === "chain" ? chain : independent), warm: writePipeline(warm, 1, independent) };
}

export function measureGrowth(steps: number, shape: "chain" | "independent"): Record<"validate" | "plan" | "run", CommandFigures> {
  const { directory, file, warm } = growthProject(steps, shape);
  const database = ["--db", path.join(directory, "orch.db")];
  return {
    validate: measureCommand(["validate", file], directory, warm),
    plan: measureCommand(["plan", file, ...database], directory, warm),
    run: measureCommand(["run", file, ...database, "--concurrency", "16"], directory, warm),
  };
}
