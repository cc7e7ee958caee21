/**
 * A database filled with known calls, through the store's own repositories and the ledger, so the
 * report's figures can be checked to the nano-dollar. The figures each test expects are worked
 * out by hand in the comments of `report-figures.test.ts`.
 *
 * Six runs in March 2025 (UTC) of two pipelines, plus one in February (outside the window, but its
 * cost prices a cache hit):
 * - notes: summarise (analysis, gpt-big), draft (writing: a first attempt that fails or is rejected,
 *   then gpt-big), headline (writing, gpt-mini; a cache hit in r2);
 * - triage: classify (analysis, gpt-mini) three times, and a subscription CLI call (free, not local);
 * - one step stopped by a budget on 03-06.
 */
import path from "node:path";
import { createLedger } from "../../../src/budget/ledger.js";
import type { CallStatus, StepStatus } from "../../../src/contracts/run-store.js";
import { openSqliteStore, type SqliteOrchStore } from "../../../src/store/sqlite-store.js";
import { temporaryDirectory } from "../../support/cli.js";

interface CallSpec {
  model: "gpt-big" | "gpt-mini" | "llama" | "sonnet";
  status: CallStatus;
  costUsd: number;
  tokens: [number, number];
  latencyMs?: number;
  prompt: string;
  errorKind?: string;
  /** The output checks refused the answer: recorded on the call's row. */
  rejected?: string;
}

interface StepSpec {
  step: string;
  task: string;
  status: StepStatus;
  tags?: string[];
  calls: CallSpec[];
}

interface RunSpec {
  id: string;
  pipeline: "notes" | "triage";
  at: string;
  steps: StepSpec[];
}

const providers: Record<CallSpec["model"], { provider: string; type: string }> = {
  "gpt-big": { provider: "openai", type: "openai" },
  "gpt-mini": { provider: "openai", type: "openai" },
  llama: { provider: "local", type: "ollama" },
  sonnet: { provider: "claude-cli", type: "cli" },
};

const big = (prompt: string, latencyMs: number, costUsd = 0.04, tokens: [number, number] = [1000, 200]): CallSpec => ({ model: "gpt-big", status: "succeeded", costUsd, tokens, latencyMs, prompt });

export const fixtureRuns: RunSpec[] = [
  {
    id: "r0",
    pipeline: "notes",
    at: "2025-02-20T09:00:00.000Z",
    steps: [{ step: "headline", task: "writing", status: "succeeded", calls: [{ model: "gpt-mini", status: "succeeded", costUsd: 0.004, tokens: [300, 20], latencyMs: 450, prompt: "p-head-0" }] }],
  },
  {
    id: "r1",
    pipeline: "notes",
    at: "2025-03-03T09:00:00.000Z",
    steps: [
      { step: "summarise", task: "analysis", status: "succeeded", calls: [big("p-sum-1", 1000)] },
      {
        step: "draft",
        task: "writing",
        status: "succeeded",
        tags: ["drafts"],
        calls: [
          { model: "llama", status: "failed", costUsd: 0, tokens: [0, 0], latencyMs: 5000, prompt: "p-draft-1", errorKind: "timeout" },
          big("p-draft-1", 2000, 0.05, [1500, 500]),
        ],
      },
      { step: "headline", task: "writing", status: "succeeded", calls: [{ model: "gpt-mini", status: "succeeded", costUsd: 0.002, tokens: [300, 20], latencyMs: 400, prompt: "p-head-1" }] },
    ],
  },
  {
    id: "r2",
    pipeline: "notes",
    at: "2025-03-04T09:00:00.000Z",
    steps: [
      { step: "summarise", task: "analysis", status: "succeeded", calls: [big("p-sum-1", 1200)] },
      {
        step: "draft",
        task: "writing",
        status: "succeeded",
        tags: ["drafts"],
        calls: [
          // Answered, then rejected by the output check: the executor moved on to the next candidate.
          { model: "llama", status: "succeeded", costUsd: 0, tokens: [800, 300], latencyMs: 800, prompt: "p-draft-2", rejected: "not valid JSON" },
          big("p-draft-2", 2200, 0.05, [1500, 500]),
        ],
      },
      { step: "headline", task: "writing", status: "succeeded", calls: [{ model: "gpt-mini", status: "cached", costUsd: 0, tokens: [0, 0], prompt: "p-head-1" }] },
    ],
  },
  {
    id: "r3",
    pipeline: "notes",
    at: "2025-03-05T09:00:00.000Z",
    steps: [
      { step: "summarise", task: "analysis", status: "succeeded", calls: [big("p-sum-3", 1400)] },
      {
        step: "draft",
        task: "writing",
        status: "succeeded",
        tags: ["drafts"],
        calls: [
          { model: "gpt-mini", status: "failed", costUsd: 0.001, tokens: [1500, 100], latencyMs: 900, prompt: "p-draft-3", errorKind: "server" },
          big("p-draft-3", 2400, 0.05, [1500, 500]),
        ],
      },
      { step: "headline", task: "writing", status: "succeeded", calls: [{ model: "gpt-mini", status: "succeeded", costUsd: 0.002, tokens: [300, 20], latencyMs: 500, prompt: "p-head-3" }] },
    ],
  },
  {
    id: "r4",
    pipeline: "triage",
    at: "2025-03-05T15:00:00.000Z",
    steps: [{ step: "classify", task: "analysis", status: "succeeded", calls: [{ model: "gpt-mini", status: "succeeded", costUsd: 0.003, tokens: [200, 10], latencyMs: 300, prompt: "p-tri-1" }] }],
  },
  {
    id: "r5",
    pipeline: "triage",
    at: "2025-03-06T09:00:00.000Z",
    steps: [{ step: "classify", task: "analysis", status: "succeeded", calls: [{ model: "gpt-mini", status: "succeeded", costUsd: 0.003, tokens: [200, 10], latencyMs: 350, prompt: "p-tri-2" }] }],
  },
  {
    id: "r6",
    pipeline: "triage",
    at: "2025-03-06T15:00:00.000Z",
    steps: [
      { step: "classify", task: "analysis", status: "succeeded", calls: [{ model: "gpt-mini", status: "succeeded", costUsd: 0.003, tokens: [200, 10], latencyMs: 320, prompt: "p-tri-3" }] },
      { step: "label", task: "writing", status: "succeeded", calls: [{ model: "sonnet", status: "succeeded", costUsd: 0, tokens: [400, 50], latencyMs: 4000, prompt: "p-label" }] },
      { step: "extra", task: "writing", status: "budget_stopped", calls: [] },
    ],
  },
];

/** The policy the report reads its limits and targets from (as if the limits were lowered after these runs). */
export const fixturePolicy = `version: 1
providers:
  offline:
    type: mock
models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
tiers:
  economy: [cheap]
  standard: [cheap]
  premium: [cheap]
budget:
  run_usd: 0.1
  daily_usd: 0.095
  monthly_usd: 10
  time_zone: UTC
  per_pipeline: { notes: { daily_usd: 0.09 } }
  per_tag: { drafts: { monthly_usd: 0.1 } }
targets:
  local_share: 0.5
`;

/** The two pipelines the runs are of, for the graph of the last run (r6, triage) embedded in the HTML report. */
export const fixturePipelines: Record<RunSpec["pipeline"], string> = {
  notes: `version: 1
name: notes
steps:
  summarise: { task: analysis, prompt: "Summarise." }
  draft: { needs: [summarise], task: writing, tags: [drafts], prompt: "Draft from <%= it.steps.summarise.output %>" }
  headline: { needs: [summarise], task: writing, quality: economy, prompt: "Headline." }
`,
  triage: `version: 1
name: triage
steps:
  classify: { task: analysis, quality: economy, prompt: "Classify." }
  label: { needs: [classify], task: writing, prompt: "Label <%= it.steps.classify.output %>" }
  extra: { needs: [label], task: writing, quality: premium, prompt: "More." }
`,
};

export interface FixtureOptions {
  /** Where `notes.yaml` and `triage.yaml` are (default: a folder that does not exist). */
  pipelineDirectory?: string;
}

export async function fillReportDatabase(store: SqliteOrchStore, options: FixtureOptions = {}): Promise<void> {
  const pipelineDirectory = options.pipelineDirectory ?? "/projects";
  const { runs, executions } = store.repositories;
  for (const run of fixtureRuns) {
    const at = new Date(run.at);
    const ids = runs.createRun(
      { id: run.id, pipelineName: run.pipeline, pipelinePath: path.join(pipelineDirectory, `${run.pipeline}.yaml`), inputs: {}, startedAt: run.at, processId: 1 },
      run.steps.map((step) => step.step),
    );
    // No limits here: the ledger only records; the report's policy judges.
    const ledger = await createLedger({ store: store.ledger, runId: run.id, pipelineName: run.pipeline, limits: {}, timeZone: "UTC", now: () => at });
    for (const step of run.steps) {
      const stepExecutionId = ids.get(step.step)!;
      runs.markStepRunning(stepExecutionId, run.at);
      for (const [index, call] of step.calls.entries()) {
        const { provider, type } = providers[call.model];
        let reservationId: number | undefined;
        if (call.costUsd > 0) {
          const reserved = await ledger.reserve(call.costUsd, { tags: step.tags ?? [] });
          if (!reserved.ok) throw new Error(reserved.refusal.reason);
          await ledger.settle(reserved.reservation, call.costUsd);
          reservationId = reserved.reservation.id;
        }
        const callId = runs.recordCall({
          runId: run.id,
          stepExecutionId,
          step: step.step,
          attempt: index + 1,
          pipelineName: run.pipeline,
          task: step.task,
          provider,
          providerType: type,
          model: call.model,
          promptSha256: call.prompt,
          status: call.status,
          inputTokens: call.tokens[0],
          outputTokens: call.tokens[1],
          cachedInputTokens: 0,
          reasoningTokens: 0,
          costUsd: call.costUsd,
          ...(call.latencyMs === undefined ? {} : { latencyMs: call.latencyMs }),
          ...(call.errorKind === undefined ? {} : { errorKind: call.errorKind, errorMessage: `${call.errorKind} error` }),
          synthetic: false,
          ...(reservationId === undefined ? {} : { reservationId }),
          startedAt: run.at,
          finishedAt: run.at,
        });
        if (call.rejected) executions.markCallRejected(callId, call.rejected);
      }
      const last = step.calls[step.calls.length - 1];
      runs.finishStep(stepExecutionId, {
        status: step.status,
        finishedAt: run.at,
        ...(last ? { provider: providers[last.model].provider, model: last.model } : {}),
        attempts: step.calls.length,
        inputTokens: step.calls.reduce((total, call) => total + call.tokens[0], 0),
        outputTokens: step.calls.reduce((total, call) => total + call.tokens[1], 0),
        costUsd: step.calls.reduce((total, call) => total + call.costUsd, 0),
      });
    }
    runs.finishRun(run.id, "succeeded", run.at, 0);
  }
}

/** A fresh database file with the fixture, closed; returns its path. */
export async function reportDatabaseFile(directory = temporaryDirectory("orch-report-"), options: FixtureOptions = {}): Promise<string> {
  const file = path.join(directory, "orch.db");
  const store = openSqliteStore(file);
  try {
    await fillReportDatabase(store, options);
  } finally {
    await store.close();
  }
  return file;
}
