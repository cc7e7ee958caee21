/** Turning a command's stdout into the answer and, where the tool reports them, token counts. */
import type { CliProvider } from "../../generated/routing-policy.js";
import type { TokenUsage } from "../provider.js";

/** `claude -p --output-format json` puts the answer in `result`; other tools name the field in `json_field`. */
export const defaultJsonField = "result";

export type ParsedOutput = { ok: true; text: string; reportedUsage: TokenUsage | undefined } | { ok: false; problem: string };

function fieldAt(value: unknown, dotPath: string): unknown {
  let current = value;
  for (const key of dotPath.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = Array.isArray(current) && /^\d+$/.test(key) ? current[Number(key)] : (current as Record<string, unknown>)[key];
  }
  return current;
}

function numberAt(value: unknown, dotPath: string): number | undefined {
  const found = fieldAt(value, dotPath);
  return typeof found === "number" && Number.isFinite(found) ? found : undefined;
}

/** Counts in Anthropic's (`input_tokens`, cache fields) or OpenAI's (`prompt_tokens`) shape, if the tool printed any. */
function reportedUsageOf(parsed: unknown): TokenUsage | undefined {
  const input = numberAt(parsed, "usage.input_tokens") ?? numberAt(parsed, "usage.prompt_tokens");
  const output = numberAt(parsed, "usage.output_tokens") ?? numberAt(parsed, "usage.completion_tokens");
  if (input === undefined || output === undefined) return undefined;
  const cacheRead = numberAt(parsed, "usage.cache_read_input_tokens") ?? 0;
  const cacheWrite = numberAt(parsed, "usage.cache_creation_input_tokens") ?? 0;
  return { inputTokens: input + cacheRead + cacheWrite, outputTokens: output, ...(cacheRead > 0 ? { cachedInputTokens: cacheRead } : {}) };
}

export function parseCommandOutput(stdout: string, settings: Pick<CliProvider, "output" | "json_field">): ParsedOutput {
  if (settings.output !== "json") return { ok: true, text: stdout.trim(), reportedUsage: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { ok: false, problem: `the command's output is not JSON (it starts with ${JSON.stringify(stdout.slice(0, 60))})` };
  }
  const field = settings.json_field ?? defaultJsonField;
  const text = fieldAt(parsed, field);
  if (typeof text !== "string") {
    const fields = typeof parsed === "object" && parsed !== null ? Object.keys(parsed).join(", ") : typeof parsed;
    return { ok: false, problem: `the command's JSON has no text at "${field}" (top-level fields: ${fields}); set json_field` };
  }
  return { ok: true, text, reportedUsage: reportedUsageOf(parsed) };
}
