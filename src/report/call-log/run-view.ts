/**
 * A recorded run as `orch show` and `orch diff` read it: its steps, each with the prompt of every
 * unit (the step, or each for_each item), the route with every candidate's note (from the step's
 * result document), and every call with what it sent, what came back, its checks and its cost.
 * Pure: it takes the store's rows and returns plain data.
 */
import { nanoToUsd, usdToNano } from "../../money/nano.js";
import type { ChatMessage } from "../../providers/provider.js";
import type { LoggedCall } from "../../contracts/call-log-store.js";
import type { RunRow, StepRow } from "../../contracts/run-store.js";

export interface RouteNote {
  reference: string;
  kept: boolean;
  reason: string;
  target?: string;
  check?: string;
}

export interface RouteView {
  matched: string;
  candidates: string[];
  notes: RouteNote[];
  chosen: string | null;
}

export interface CallView {
  id: number;
  item: number | null;
  attempt: number;
  provider: string;
  model: string;
  status: "succeeded" | "failed" | "cached";
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number | null;
  error?: { kind: string; message: string };
  /** Why the output checks refused the answer. */
  rejection?: string;
  checkerOutput?: string;
  /** What was kept: the texts, only their hashes, or nothing (a call recorded before the call log). */
  kept: "full" | "hashes" | "none";
  messages?: ChatMessage[];
  answer?: string;
  promptSha256: string;
  answerSha256?: string;
}

/** The prompt of one unit of work, as first sent (repair attempts add messages after it). */
export interface UnitPromptView {
  item: number | null;
  messages?: ChatMessage[];
  promptSha256?: string;
}

export interface StepView {
  name: string;
  status: string;
  /** `provider:model` of the accepted answer. */
  chosen?: string;
  reason?: string;
  costUsd: number;
  output: string | null;
  outputFile: string | null;
  route?: RouteView;
  prompts: UnitPromptView[];
  calls: CallView[];
}

export interface RunView {
  id: string;
  pipeline: string;
  pipelinePath: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  costUsd: number;
  synthetic: boolean;
  exitCode: number | null;
  steps: StepView[];
}

export function buildRunView(run: RunRow, steps: readonly StepRow[], calls: readonly LoggedCall[]): RunView {
  const views = steps.map((step) => stepView(step, calls.filter((call) => call.step === step.step).map(callView)));
  return {
    id: run.id,
    pipeline: run.pipeline_name,
    pipelinePath: run.pipeline_path,
    status: run.status,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    durationMs: run.finished_at === null ? null : Date.parse(run.finished_at) - Date.parse(run.started_at),
    // Summed in nano-dollars, as the ledger counts: a sum of floats would print 0.000026000000000000002.
    costUsd: nanoToUsd(calls.reduce((sum, call) => sum + usdToNano(call.cost_usd), 0)),
    synthetic: calls.some((call) => call.synthetic === 1),
    exitCode: run.exit_code,
    steps: views,
  };
}

/** One call as the views show it (also the HTML report's prompt and answer of an attempt). */
export function callView(row: LoggedCall): CallView {
  return {
    id: row.id,
    item: row.item_index,
    attempt: row.attempt,
    provider: row.provider,
    model: row.model,
    status: row.status,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    ...(row.error_kind ? { error: { kind: row.error_kind, message: row.error_message ?? "" } } : {}),
    ...(row.rejection_reason ? { rejection: row.rejection_reason } : {}),
    ...(row.checker_output ? { checkerOutput: row.checker_output } : {}),
    kept: row.kept ?? "none",
    ...(row.messages_json ? { messages: JSON.parse(row.messages_json) as ChatMessage[] } : {}),
    ...(row.answer === null ? {} : { answer: row.answer }),
    promptSha256: row.prompt_sha256,
    ...(row.answer_sha256 ? { answerSha256: row.answer_sha256 } : {}),
  };
}

/** What `<step>.json` says, as far as these views read it. */
interface ResultDocument {
  route?: RouteView | null;
  acceptedFrom?: string;
  prompt?: ChatMessage[];
  promptSha256?: string;
  items?: { index: number; prompt?: ChatMessage[]; promptSha256?: string }[];
}

function stepView(row: StepRow, calls: CallView[]): StepView {
  const document = parseDocument(row.result_json);
  const chosen = document.acceptedFrom ?? (row.provider && row.model ? `${row.provider}:${row.model}` : undefined);
  return {
    name: row.step,
    status: row.status,
    ...(chosen ? { chosen } : {}),
    ...(row.error_message ?? row.skip_reason ? { reason: (row.error_message ?? row.skip_reason)! } : {}),
    costUsd: row.cost_usd,
    output: row.output,
    outputFile: row.output_file,
    ...(document.route ? { route: document.route } : {}),
    prompts: unitPrompts(document, calls),
    calls,
  };
}

/** Each unit's first call says what was sent; a unit that made no call has the step document's prompt. */
function unitPrompts(document: ResultDocument, calls: readonly CallView[]): UnitPromptView[] {
  const units = new Map<number | null, UnitPromptView>();
  for (const call of calls) {
    if (units.has(call.item)) continue;
    units.set(call.item, { item: call.item, ...(call.messages ? { messages: call.messages } : {}), promptSha256: call.promptSha256 });
  }
  const fromDocument: UnitPromptView[] = document.items
    ? document.items.map((item) => ({ item: item.index, ...(item.prompt ? { messages: item.prompt } : {}), ...(item.promptSha256 ? { promptSha256: item.promptSha256 } : {}) }))
    : document.prompt || document.promptSha256
      ? [{ item: null, ...(document.prompt ? { messages: document.prompt } : {}), ...(document.promptSha256 ? { promptSha256: document.promptSha256 } : {}) }]
      : [];
  for (const unit of fromDocument) if (!units.has(unit.item)) units.set(unit.item, unit);
  return [...units.values()].sort((a, b) => (a.item ?? -1) - (b.item ?? -1));
}

function parseDocument(json: string | null): ResultDocument {
  if (json === null) return {};
  try {
    return JSON.parse(json) as ResultDocument;
  } catch {
    return {};
  }
}

/** A prompt as text lines: each message under its role. */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((message) => `[${message.role}]\n${message.content}`).join("\n");
}
