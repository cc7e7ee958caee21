import path from "node:path";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { formatDuration } from "../../policy/format.js";
import type { BatchJobSummary } from "../../contracts/batch-store.js";
import { openStore } from "../../store/index.js";
import { collectBatches, type CollectedJob } from "../../workspace/collect-batches.js";
import { resolveProject } from "../../project/resolve-project.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag, policyFlag, runFilterFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import type { Style } from "../output.js";

const usage = "orch batch status [--run ID] [--json] [--db FILE] | orch batch collect [--run ID] [--policy FILE] [--json] [--db FILE]";

const flags = defineFlags({
  run: runFilterFlag,
  policy: { ...policyFlag, description: "with collect: the policy whose providers to ask", defaultText: "the policy each run used" },
  json: jsonFlag,
  db: databaseFlag,
});

export const batchCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    const [action, ...extra] = positionals;
    if (action !== "status" && action !== "collect") {
      throw new UsageError({ message: action === undefined ? "missing action: status or collect" : `unknown action "${action}": status or collect`, hint: `usage: ${usage}` });
    }
    if (extra.length > 0) throw new UsageError({ message: `unexpected argument "${extra[0]}"`, hint: `usage: ${usage}` });
    if (action === "status" && values.policy !== undefined) throw new UsageError({ message: "--policy goes with collect", hint: `usage: ${usage}` });
    const project = await resolveProject(output.env);
    const store = await openStore(project.databaseFile(values.db));
    try {
      if (action === "status") {
        const jobs = await store.batches.jobSummaries(values.run);
        const now = Date.now();
        if (values.json) output.out(JSON.stringify(jobs.map((job) => ({ ...job, ageSeconds: Math.round((now - Date.parse(job.submittedAt)) / 1000) })), null, 2));
        else for (const line of renderStatus(jobs, store.location, now, output.style)) output.out(line);
        return exitCodes.success;
      }
      const interruption = new AbortController();
      const onSignal = () => interruption.abort();
      process.once("SIGINT", onSignal);
      let collected: CollectedJob[];
      try {
        collected = await collectBatches(store, {
          ...(values.run === undefined ? {} : { runId: values.run }),
          ...(values.policy === undefined ? {} : { policyFile: path.resolve(values.policy) }),
          env: project.env,
          signal: interruption.signal,
        });
      } finally {
        process.off("SIGINT", onSignal);
      }
      if (values.json) output.out(JSON.stringify(collected, null, 2));
      else for (const line of renderCollected(collected, store.location, output.style)) output.out(line);
      return collected.some((each) => each.outcome.kind === "unchecked") ? exitCodes.stepFailed : exitCodes.success;
    } finally {
      await store.close();
    }
  },
};

/** About how long: the two largest units (`2h5m`, `3d1h`, `40s`). */
function roughly(milliseconds: number): string {
  return (formatDuration(Math.max(0, milliseconds)).match(/\d+[dhms]/g) ?? ["0s"]).slice(0, 2).join("");
}

function renderStatus(jobs: readonly BatchJobSummary[], database: string, now: number, style: Style): string[] {
  if (jobs.length === 0) return [`no batches in ${database}`];
  const lines = [`${style.bold("batches")} · ${database}`];
  for (const provider of [...new Set(jobs.map((job) => job.provider))]) {
    lines.push("", style.bold(provider));
    for (const job of jobs.filter((each) => each.provider === provider)) {
      const deadline = Date.parse(job.deadlineAt) - now;
      const when = `submitted ${roughly(now - Date.parse(job.submittedAt))} ago${job.status === "pending" ? `, deadline ${deadline > 0 ? `in ${roughly(deadline)}` : "passed"}` : ""}`;
      const counts = [
        [job.waiting, "waiting"],
        [job.answered, "answered, not yet recorded"],
        [job.collected, "collected"],
        [job.fallenBack, "called synchronously instead"],
      ].flatMap(([count, what]) => (count ? [`${count} ${what}`] : []));
      const status = job.status === "pending" ? style.yellow(job.status) : job.status === "ended" ? style.green(job.status) : style.red(job.status);
      lines.push(`  ${job.vendorBatchId}  ${status} · ${when} · ${job.calls} call${job.calls === 1 ? "" : "s"}${counts.length ? `: ${counts.join(", ")}` : ""} · run ${job.runId}`);
    }
  }
  const toResume = [...new Set(jobs.filter((job) => job.answered > 0).map((job) => job.runId))];
  for (const runId of toResume) lines.push("", `answers kept for run ${runId}: record them with orch run --resume ${runId}`);
  return lines;
}

function renderCollected(collected: readonly CollectedJob[], database: string, style: Style): string[] {
  if (collected.length === 0) return [`no pending batches in ${database}`];
  const lines: string[] = [];
  for (const { job, outcome } of collected) {
    const name = `${job.vendorBatchId} (${job.provider}, run ${job.runId})`;
    if (outcome.kind === "pending") lines.push(`${style.yellow("⧗")} ${name}: still running, ${outcome.done} of ${outcome.total} answered`);
    else if (outcome.kind === "ended") lines.push(`${style.green("✓")} ${name}: ended, ${outcome.answered} answered${outcome.failed ? `, ${outcome.failed} without an answer` : ""}; kept for the run`);
    else if (outcome.kind === "unchecked") lines.push(`${style.red("✗")} ${name}: not checked: ${outcome.reason}`);
    else lines.push(`${style.red("✗")} ${name}: ${outcome.kind}: ${outcome.reason}; its calls will be made synchronously when the run resumes`);
  }
  const finished = collected.filter(({ outcome }) => outcome.kind !== "pending" && outcome.kind !== "unchecked");
  for (const runId of [...new Set(finished.map(({ job }) => job.runId))]) {
    const pipeline = finished.find(({ job }) => job.runId === runId)?.job.pipelinePath;
    const shown = pipeline ? path.relative(process.cwd(), pipeline) || pipeline : "<pipeline>";
    lines.push(`resume with: orch run ${shown} --resume ${runId}`);
  }
  return lines;
}
