/**
 * The JSONL recording written by `orch run --record FILE` and read by the `replay` provider: one
 * answer per line, with the messages that asked for it (secrets scrubbed; left out for a sensitive
 * step or under the policy's `log: { prompts: hashes }`), never headers or keys, so a recording can
 * be committed for CI and a reader can see what was asked. Replay matches by fingerprint only. Each answer keeps its usage and what it cost (`costUsd`), so
 * a replayed run spends the same synthetic money as the recorded one spent real money.
 */
import type { ChatMessage, ProviderResponse, TokenUsage } from "../provider.js";

export interface RecordedAnswer {
  version: 1;
  fingerprint: string;
  /** The policy's provider id and the model that were asked. */
  provider: string;
  model: string;
  recordedAt: string;
  /** The messages sent, secrets scrubbed; absent when prompts are kept as hashes only (and in older recordings). */
  messages?: ChatMessage[];
  response: {
    text: string;
    usage: TokenUsage;
    model: string;
    finishReason?: string;
    reportedCostUsd?: number;
    /** What the answering attempt cost when it was recorded (absent in older recordings). */
    costUsd?: number;
  };
}

export function recordedAnswerOf(
  fingerprint: string,
  provider: string,
  model: string,
  response: ProviderResponse,
  now: Date,
  costUsd?: number,
  messages?: ChatMessage[],
): RecordedAnswer {
  return {
    version: 1,
    fingerprint,
    provider,
    model,
    recordedAt: now.toISOString(),
    ...(messages === undefined ? {} : { messages }),
    response: {
      text: response.text,
      usage: response.usage,
      model: response.model,
      ...(response.finishReason === undefined ? {} : { finishReason: response.finishReason }),
      ...(response.reportedCostUsd === undefined ? {} : { reportedCostUsd: response.reportedCostUsd }),
      ...(costUsd === undefined ? {} : { costUsd }),
    },
  };
}

function isRecordedAnswer(value: unknown): value is RecordedAnswer {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<RecordedAnswer>;
  const response = record.response;
  return (
    record.version === 1 &&
    typeof record.fingerprint === "string" &&
    typeof record.model === "string" &&
    typeof response === "object" &&
    response !== null &&
    typeof response.text === "string" &&
    typeof response.usage?.inputTokens === "number" &&
    typeof response.usage.outputTokens === "number" &&
    (response.costUsd === undefined || (typeof response.costUsd === "number" && Number.isFinite(response.costUsd) && response.costUsd >= 0))
  );
}

/** Answers by fingerprint, in recorded order (a request asked twice replays both answers in turn). */
export type Recording = Map<string, RecordedAnswer[]>;

export function parseRecording(text: string, filePath: string): Recording {
  const recording: Recording = new Map();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${filePath}:${index + 1}: not a JSON line`);
    }
    if (!isRecordedAnswer(parsed)) throw new Error(`${filePath}:${index + 1}: not an orch recording entry (version 1)`);
    const answers = recording.get(parsed.fingerprint) ?? [];
    answers.push(parsed);
    recording.set(parsed.fingerprint, answers);
  });
  return recording;
}
