/**
 * `orch run --record FILE`: wraps any provider and appends each answer to a JSONL recording: the
 * answer, its cost (`costOf`) and, unless the request says prompts are kept as hashes only, the
 * messages that asked for it (see recording-format.ts), all scrubbed. The registry puts it
 * under the retries, so a line is one attempt the API answered, with that attempt's own usage. A
 * failed write does not fail the call (the answer was paid for); it is raised by `close()`, which
 * also waits for pending writes. A batch's answers are recorded too, when orch uses them
 * (`BatchCapability.answered`).
 */
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { BatchCapability, Provider, ProviderRequest, ProviderResponse } from "../provider.js";
import { fingerprintRequest } from "./fingerprint.js";
import { recordedAnswerOf } from "./recording-format.js";

/** What an answer cost, as orch bills it (`batched`: at the batch API's prices); undefined when no price is known. */
export type AnswerCost = (model: string, response: ProviderResponse, batched: boolean) => number | undefined;

export interface RecordingOptions {
  now?: () => Date;
  /** Scrubs secrets from the answer before it is written (the same redactor as the run's). */
  redact?: (text: string) => string;
  /** What an answer cost, kept in the recording so a replay reproduces the run's economics. */
  costOf?: AnswerCost;
}

export function createRecordingProvider(inner: Provider, filePath: string, options: RecordingOptions = {}): Provider {
  const now = options.now ?? (() => new Date());
  const redact = options.redact ?? ((text: string) => text);
  const costOf = options.costOf ?? (() => undefined);
  let writes: Promise<void> = mkdir(path.dirname(path.resolve(filePath)), { recursive: true }).then(() => undefined);
  let firstWriteError: unknown;

  function record(request: ProviderRequest, response: ProviderResponse, batched = false): void {
    const messages = request.origin.logPrompt === true ? request.messages.map((message) => ({ role: message.role, content: redact(message.content) })) : undefined;
    const answer = recordedAnswerOf(fingerprintRequest(request), inner.id, request.model, { ...response, text: redact(response.text) }, now(), costOf(request.model, response, batched), messages);
    const line = `${JSON.stringify(answer)}\n`;
    // Chained so lines from concurrent calls never interleave; one write per line keeps it append-only.
    writes = writes
      .then(() => appendFile(filePath, line, "utf8"))
      .catch((error: unknown) => {
        firstWriteError ??= error;
      });
  }

  return {
    id: inner.id,
    type: inner.type,
    pricing: inner.pricing,
    local: inner.local,
    async call(request, signal, gate) {
      const response = await inner.call(request, signal, gate);
      record(request, response);
      return response;
    },
    available: (model) => inner.available(model),
    // A batch's answers are recorded as orch uses them, with their request (the same fingerprint a
    // synchronous call has, so a replay answers the step either way) and their cost at batch prices.
    ...(inner.batch === undefined ? {} : { batch: recordingBatch(inner.batch, (request, response) => record(request, response, true)) }),
    async close() {
      await writes;
      await inner.close?.();
      if (firstWriteError !== undefined) {
        throw new Error(`could not write the recording ${filePath}: ${firstWriteError instanceof Error ? firstWriteError.message : String(firstWriteError)}`);
      }
    },
  };
}

function recordingBatch(inner: BatchCapability, record: (request: ProviderRequest, response: ProviderResponse) => void): BatchCapability {
  return {
    ...(inner.batchGroupOf === undefined ? {} : { batchGroupOf: inner.batchGroupOf.bind(inner) }),
    submit: (entries, signal) => inner.submit(entries, signal),
    poll: (batchId, signal) => inner.poll(batchId, signal),
    answered(entry, response) {
      record(entry.request, response);
      inner.answered?.(entry, response);
    },
  };
}
