/**
 * Requests the real APIs refuse for particular models, and the refusals as they send them.
 *
 * The fake keeps its own list of model names rather than reading orch's capability table
 * (src/providers/model-capabilities.ts): tests then compare orch's table against an independent
 * statement of what the APIs do, and a wrong table fails them. Names are the models' current ids;
 * a dated snapshot (`-2025-08-07`, `-20260416`) counts as its model. A script can also say
 * `fixedTemperature: true|false` for any model.
 *
 * - Anthropic API version 2026-10-21 (what @anthropic-ai/sdk 1.x sends): any temperature, on any
 *   model, is a 400 invalid_request_error "temperature: Extra inputs are not permitted"
 *   (platform.claude.com/docs/en/api/versioning; ttlequals0/MinusPod 2.101.10). An unknown version
 *   is a 400 `anthropic-version: "…" is not a valid version` (decolua/9router#2357).
 * - Anthropic 2023-06-01, Claude Opus 4.7 and later: any temperature but the default 1 is a 400
 *   invalid_request_error "`temperature` is deprecated for this model." (BerriAI/litellm#26444,
 *   github/copilot-sdk#1557, OpenWhispr/openwhispr#1475).
 * - OpenAI reasoning models: a temperature other than 1 is a 400 `unsupported_value` (OpenHands#4131,
 *   johny-b/llmcomp#69) and `max_tokens` a 400 `unsupported_parameter` (teilomillet/gollm#33,
 *   griptape-ai/ComfyUI-Griptape#312), both with `param` naming the field.
 */
import type { ErrorReply } from "./dialects/dialect.js";
import { anthropicErrorBody } from "./dialects/anthropic.js";
import { openAiErrorBody } from "./dialects/openai.js";

const anthropicFixedTemperatureModels = new Set(["claude-opus-4-7", "claude-opus-4-8", "claude-sonnet-5", "claude-opus-5", "claude-fable-5"]);

const openAiReasoningModels = new Set([
  "o1",
  "o1-mini",
  "o1-pro",
  "o3",
  "o3-mini",
  "o3-pro",
  "o4-mini",
  "gpt-5",
  "gpt-5-mini",
  "gpt-5-nano",
  "gpt-5-pro",
  "gpt-5.1",
  "gpt-5.2",
  "gpt-5.4",
  "gpt-5.4-mini",
]);

function withoutSnapshotDate(model: string): string {
  return model.replace(/-(?:\d{4}-\d{2}-\d{2}|\d{8})$/, "");
}

/** The API's default temperature: the only value these models take. */
const defaultTemperature = 1;

function refusesTemperature(value: unknown, fixed: boolean): boolean {
  return fixed && value !== undefined && value !== defaultTemperature;
}

/** The `anthropic-version` values the API knows. */
const anthropicApiVersions = new Set(["2023-01-01", "2023-06-01", "2026-10-21"]);

export function anthropicRefusal(
  model: string,
  apiVersion: string,
  body: Record<string, unknown>,
  fixedTemperature: boolean | undefined,
  requestId: string,
): ErrorReply | undefined {
  const refuse = (message: string): ErrorReply => ({ status: 400, headers: { "request-id": requestId }, body: anthropicErrorBody("invalid_request_error", message, requestId) });
  if (!anthropicApiVersions.has(apiVersion)) return refuse(`anthropic-version: "${apiVersion}" is not a valid version`);
  if (apiVersion >= "2026-10-21" && body["temperature"] !== undefined) return refuse("temperature: Extra inputs are not permitted");
  const fixed = fixedTemperature ?? anthropicFixedTemperatureModels.has(withoutSnapshotDate(model));
  return refusesTemperature(body["temperature"], fixed) ? refuse("`temperature` is deprecated for this model.") : undefined;
}

export function openAiRefusal(model: string, body: Record<string, unknown>, fixedTemperature: boolean | undefined): ErrorReply | undefined {
  const reasoning = openAiReasoningModels.has(withoutSnapshotDate(model));
  if (reasoning && body["max_tokens"] !== undefined) {
    return {
      status: 400,
      body: openAiErrorBody(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        "invalid_request_error",
        "unsupported_parameter",
        "max_tokens",
      ),
    };
  }
  const temperature = body["temperature"];
  if (!refusesTemperature(temperature, fixedTemperature ?? reasoning)) return undefined;
  return {
    status: 400,
    body: openAiErrorBody(
      `Unsupported value: 'temperature' does not support ${String(temperature)} with this model. Only the default (1) value is supported.`,
      "invalid_request_error",
      "unsupported_value",
      "temperature",
    ),
  };
}
