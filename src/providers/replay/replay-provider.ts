/**
 * The `replay` provider: answers from a recording, so CI runs are free, offline and deterministic.
 * Replayed answers are synthetic: their usage and cost are the recorded ones (the cost as
 * `reportedCostUsd`, so it wins over prices), so run budgets, `max_cost_usd` and `best_value` see
 * the recorded run's economics, while the real day and month count none of it (see budget/).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ReplayProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import { ProviderError } from "../provider-error.js";
import { providerTraits } from "../provider-traits.js";
import type { Provider, ProviderRequest, ProviderResponse } from "../provider.js";
import { fingerprintRequest } from "./fingerprint.js";
import { parseRecording, type Recording } from "./recording-format.js";

export function createReplayProvider(id: string, settings: ReplayProvider, context: ProviderContext): Provider {
  const filePath = path.resolve(context.policyDirectory, settings.file);
  let loading: Promise<Recording> | undefined;
  /** How many times each fingerprint was answered, to replay repeated requests in recorded order. */
  const answered = new Map<string, number>();

  function unavailable(message: string): ProviderError {
    return new ProviderError({ kind: "unavailable", retryable: false, provider: id, message: `${id}: ${message}` });
  }

  async function recording(): Promise<Recording> {
    loading ??= readFile(filePath, "utf8").then(
      (text) => parseRecording(text, filePath),
      (error: NodeJS.ErrnoException) => {
        throw new Error(error.code === "ENOENT" ? `recording ${filePath} does not exist; make it with \`orch run --record ${settings.file}\`` : `cannot read ${filePath}: ${error.message}`);
      },
    );
    return loading;
  }

  async function call(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    let answers: Recording;
    try {
      answers = await recording();
    } catch (error) {
      throw unavailable((error as Error).message);
    }
    if (signal.aborted) throw new ProviderError({ kind: "aborted", provider: id, message: `${id}: the call was cancelled` });
    const fingerprint = fingerprintRequest(request);
    const candidates = answers.get(fingerprint);
    if (candidates === undefined || candidates.length === 0) {
      throw unavailable(
        `no recorded answer for this request (model ${request.model}, step ${request.origin.step}, fingerprint ${fingerprint.slice(0, 12)}) in ${filePath}; ` +
          "the prompt or settings changed since the recording: record again with `orch run --record`",
      );
    }
    const turn = answered.get(fingerprint) ?? 0;
    answered.set(fingerprint, turn + 1);
    // Past the recorded answers, the last one repeats: a replay should not fail on one extra retry.
    const answer = candidates[Math.min(turn, candidates.length - 1)] as (typeof candidates)[number];
    return {
      text: answer.response.text,
      usage: answer.response.usage,
      model: answer.response.model,
      latencyMs: 0,
      synthetic: true,
      // A recording without costs (older orch) leaves the cost to the policy's prices for the recorded usage.
      ...(answer.response.costUsd === undefined ? {} : { reportedCostUsd: answer.response.costUsd }),
      ...(answer.response.finishReason === undefined ? {} : { finishReason: answer.response.finishReason }),
    };
  }

  return {
    id,
    type: "replay",
    // Nothing leaves the machine: a replay may serve sensitive steps.
    ...providerTraits.replay,
    call,
    async available() {
      try {
        await recording();
        return { available: true };
      } catch (error) {
        return { available: false, reason: (error as Error).message };
      }
    },
  };
}
