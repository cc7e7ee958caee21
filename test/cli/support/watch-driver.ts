/**
 * Drives `orch run --watch` as a child process the way a person would: after each `rerun …` line it
 * makes the next edit, and once every edit has been rerun it presses Ctrl-C (SIGINT). A watch that
 * never reruns is killed after `timeoutMs`, so a broken watch fails its test instead of hanging it.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { runCliProcess, type CliResult } from "../../support/cli.js";
import { offlinePolicy, writeProject } from "../../support/project.js";

export interface WatchDrive {
  cwd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Made one at a time, each after the next rerun line; SIGINT follows the rerun after the last. */
  edits: (() => void)[];
  timeoutMs?: number;
}

export function driveWatch(drive: WatchDrive): Promise<CliResult> {
  let stdout = "";
  return runCliProcess(drive.args, {
    cwd: drive.cwd,
    ...(drive.env ? { env: drive.env } : {}),
    onSpawn: (child) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        const before = (stdout.match(/^rerun /gm) ?? []).length;
        stdout += chunk.toString();
        const reruns = (stdout.match(/^rerun /gm) ?? []).length;
        for (let rerun = before + 1; rerun <= reruns; rerun++) {
          if (rerun <= drive.edits.length) drive.edits[rerun - 1]!();
          else child.kill("SIGINT");
        }
      });
      setTimeout(() => child.kill("SIGKILL"), drive.timeoutMs ?? 30_000).unref();
    },
  });
}

/** The `rerun …` summary lines, in order. */
export function rerunLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("rerun "));
}

/**
 * Pipeline `w` on the offline mock provider: step a's prompt is the file a.eta, b reads a's output.
 * `editPrompt` changes a.eta, so both steps rerun.
 */
export function twoStepWatchProject(): { directory: string; editPrompt: () => void } {
  const directory = writeProject({
    "policy.yaml": offlinePolicy(),
    "a.eta": "First prompt.",
    "pipeline.yaml": `version: 1\nname: w\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: { file: a.eta }\n  b:\n    needs: [a]\n    prompt: "Then: <%= it.steps.a.output %>"\n`,
  });
  return { directory, editPrompt: () => writeFileSync(path.join(directory, "a.eta"), "Edited prompt.") };
}

/** `orch run pipeline.yaml --watch` with its own database and a short debounce. */
export const watchArguments = ["run", "pipeline.yaml", "--watch", "--db", "state/orch.db", "--debounce", "100"];
