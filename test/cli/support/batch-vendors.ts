/**
 * One fixture for the `batch:` tests of the three vendors orch drives a batch API for (OpenAI,
 * Anthropic, Gemini), against the fake server through their real SDKs: each vendor's policy, key,
 * paths and hand-worked figures, the pipeline they all run, and the runs the tests repeat (a run,
 * a run killed once its batch is polled).
 *
 * Fake tokens are words: "Review item 1." is 3 prompt tokens, "Looks fine." 2 answer tokens. A
 * reservation bounds the prompt by its UTF-8 bytes plus 8 tokens a message (14 + 8 = 22 tokens)
 * and holds the step's 100 output tokens. Nano-dollars are tokens × price per million × 1,000; a batch halves
 * every price.
 */
import path from "node:path";
import { after, before } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../../src/fake-server/index.js";
import type { FakeModelBehaviour } from "../../../src/fake-server/behaviour.js";
import { runCliInProcess, runCliProcess, type CliResult } from "../../support/cli.js";
import { writeProject } from "../../support/project.js";
import { openDatabase, runPaths } from "../../executor/support/run-project.js";

export interface BatchVendor {
  /** The provider's name in the policy, also its type. */
  name: "openai" | "anthropic" | "gemini";
  model: string;
  keyVariable: string;
  /** The policy, with `budget` lines appended (`budget: { run_usd: … }`). */
  policy(budget?: string): string;
  /** Hand-worked, in nano-dollars: one answered call and one reservation's worst case, synchronously and in a batch. */
  syncNano: number;
  batchNano: number;
  syncWorstNano: number;
  batchWorstNano: number;
  /** Whether a request created a batch, was an ordinary call, or polled a batch. */
  createsBatch(request: SentRequest): boolean;
  callsSynchronously(request: SentRequest): boolean;
  /** The shape of a batch id as orch records it. */
  batchId: RegExp;
}

export interface SentRequest {
  method: string;
  path: string;
}

const policyOf = (provider: string, baseUrl: string, keyVariable: string, alias: string, model: string, prices: string) => (budget = "") => `version: 1
providers:
  ${provider}: { type: ${provider}, base_url: "${baseUrl}", api_key_env: ${keyVariable}, max_retries: 0 }
models:
  ${alias}: { model: "${provider}:${model}", prices: ${prices} }
tiers:
  economy: [${alias}]
  standard: [${alias}]
  premium: [${alias}]
${budget}`;

export const openAiVendor: BatchVendor = {
  name: "openai",
  model: "gpt-4.1-mini",
  keyVariable: "OPENAI_TEST_KEY",
  policy: policyOf("openai", "${FAKE_URL}/v1", "OPENAI_TEST_KEY", "mini", "gpt-4.1-mini", "{ input: 2.5, output: 10 }"),
  // 3 × 2.5 + 2 × 10 = 27.5 per million: 27,500 nano; half in a batch.
  syncNano: 27_500,
  batchNano: 13_750,
  // 22 × 2.5 + 100 × 10 = 1,055 per million: 1,055,000 nano; half in a batch.
  syncWorstNano: 1_055_000,
  batchWorstNano: 527_500,
  createsBatch: (request) => request.method === "POST" && request.path === "/v1/batches",
  callsSynchronously: (request) => request.path === "/v1/chat/completions",
  batchId: /^batch_[0-9a-f]+$/,
};

export const anthropicVendor: BatchVendor = {
  name: "anthropic",
  model: "claude-sonnet-4-20250514",
  keyVariable: "ANTHROPIC_TEST_KEY",
  policy: policyOf("anthropic", "${FAKE_URL}", "ANTHROPIC_TEST_KEY", "sonnet", "claude-sonnet-4-20250514", "{ input: 3, output: 15 }"),
  // 3 × 3 + 2 × 15 = 39 per million: 39,000 nano; half in a batch.
  syncNano: 39_000,
  batchNano: 19_500,
  // 22 × 3 + 100 × 15 = 1,566 per million: 1,566,000 nano; half in a batch.
  syncWorstNano: 1_566_000,
  batchWorstNano: 783_000,
  createsBatch: (request) => request.method === "POST" && request.path === "/v1/messages/batches",
  callsSynchronously: (request) => request.path === "/v1/messages",
  batchId: /^msgbatch_[0-9a-f]+$/,
};

export const geminiVendor: BatchVendor = {
  name: "gemini",
  model: "gemini-2.5-flash",
  keyVariable: "GEMINI_TEST_KEY",
  policy: policyOf("gemini", "${FAKE_URL}", "GEMINI_TEST_KEY", "flash", "gemini-2.5-flash", "{ input: 0.3, output: 2.5 }"),
  // 3 × 0.3 + 2 × 2.5 = 5.9 per million: 5,900 nano; half in a batch.
  syncNano: 5_900,
  batchNano: 2_950,
  // 22 × 0.3 + 100 × 2.5 = 256.6 per million: 256,600 nano; half in a batch.
  syncWorstNano: 256_600,
  batchWorstNano: 128_300,
  createsBatch: (request) => request.method === "POST" && request.path.endsWith(":batchGenerateContent"),
  callsSynchronously: (request) => request.path.endsWith(":generateContent"),
  batchId: /^batches\/[0-9a-f]+$/,
};

export const batchVendors: readonly BatchVendor[] = [openAiVendor, anthropicVendor, geminiVendor];

/** The pipeline every batch test runs: one `for_each` step over `items`, 100 output tokens, no cache. */
export function batchPipeline(options: { batch?: string; items?: readonly string[]; concurrency?: number } = {}): string {
  return `version: 1
name: nightly
policy: policy.yaml
steps:
  review:
    for_each: { items: "inputs.files", concurrency: ${options.concurrency ?? 3} }
    max_tokens: 100
    cache: false
    ${options.batch ?? "batch: true"}
    prompt: "Review item <%= it.item %>."
inputs:
  files: { type: list, default: ${JSON.stringify(options.items ?? ["1", "2", "3"])} }
`;
}

/** Nano-dollars as a number of USD, as events and call rows carry them (exact for these figures). */
export function usdOf(nano: number): number {
  return nano / 1e9;
}

/** The fake server of a `describe`, started before its tests and closed after them. */
export function useFakeServer(): { readonly server: FakeLlmServer } {
  const holder: { server?: FakeLlmServer } = {};
  before(async () => {
    holder.server = await startFakeLlmServer();
  });
  after(async () => {
    await holder.server?.close();
  });
  return {
    get server(): FakeLlmServer {
      if (holder.server === undefined) throw new Error("the fake server starts before the tests");
      return holder.server;
    },
  };
}

/** A vendor's project: its policy, the pipeline, and how to run orch on it. */
export class BatchProject {
  readonly directory: string;
  readonly database: string;

  constructor(
    readonly vendor: BatchVendor,
    private readonly server: FakeLlmServer,
    files: { pipeline?: string; budget?: string; extra?: Record<string, string> } = {},
  ) {
    this.directory = writeProject({ "pipeline.yaml": files.pipeline ?? batchPipeline(), "policy.yaml": vendor.policy(files.budget), ...files.extra });
    this.database = path.join(this.directory, "state/orch.db");
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { [this.vendor.keyVariable]: `test-key-${this.vendor.name}-batch`, FAKE_URL: this.server.url, ORCH_BATCH_POLL_MS: "20", ...extra };
  }

  /** `orch run pipeline.yaml --json` in this process, with `more` arguments (`--json` left out when `more` has `--lines`). */
  run(more: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    const format = more.includes("--lines") ? [] : ["--json"];
    const rest = more.filter((argument) => argument !== "--lines");
    return runCliInProcess(["run", path.join(this.directory, "pipeline.yaml"), ...runPaths(this.directory), ...format, ...rest], this.env(env));
  }

  /** Any other orch command on this project's store (`batch status`, `batch collect`…). */
  command(args: string[]): Promise<CliResult> {
    return runCliInProcess([...args, "--db", this.database], this.env());
  }

  /**
   * `orch run` in a child process, killed with SIGKILL once its batch is recorded and polled (the
   * first progress event); then `pollMs` apart. Answers whether the kill landed.
   */
  async runKilledAtFirstPoll(pollMs: number): Promise<{ killed: boolean; result: CliResult }> {
    let killed = false;
    const result = await runCliProcess(["run", "pipeline.yaml", ...runPaths(this.directory), "--json"], {
      cwd: this.directory,
      env: this.env({ ORCH_BATCH_POLL_MS: String(pollMs) }),
      onSpawn: (child) => {
        let seen = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (!killed && seen.includes('"phase":"progress"')) {
            killed = true;
            child.kill("SIGKILL");
          }
        });
      },
    });
    return { killed, result };
  }

  /** `orch run --resume` in a child process. */
  resume(): Promise<CliResult> {
    return runCliProcess(["run", "pipeline.yaml", ...runPaths(this.directory), "--json", "--resume"], { cwd: this.directory, env: this.env() });
  }

  /** What the ledger settled, in nano-dollars. */
  settledNano(): number {
    const database = openDatabase(this.directory);
    try {
      return (database.prepare("SELECT COALESCE(SUM(settled_nano_usd), 0) AS nano FROM budget_reservations WHERE status = 'settled'").get() as { nano: number }).nano;
    } finally {
      database.close();
    }
  }

  /** Rows of a query on the store. */
  rows(sql: string): unknown[] {
    const database = openDatabase(this.directory);
    try {
      return database.prepare(sql).all();
    } finally {
      database.close();
    }
  }
}

/** Scripts the vendor's model: "Looks fine." to every call, with `behaviour` on top. */
export function scriptModel(server: FakeLlmServer, vendor: BatchVendor, behaviour: FakeModelBehaviour): void {
  server.reset();
  server.script(vendor.model, { defaultResponse: "Looks fine.", ...behaviour });
}
