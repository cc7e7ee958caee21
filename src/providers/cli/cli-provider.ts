/**
 * The `cli` provider: a command-line tool (a coding-agent subscription such as `claude -p`) run per
 * call. Pricing is `subscription`: no marginal cost, optionally capped per day.
 */
import path from "node:path";
import type { CliProvider } from "../../generated/routing-policy.js";
import type { ProviderContext } from "../context.js";
import { ProviderError } from "../provider-error.js";
import { providerTraits } from "../provider-traits.js";
import type { Provider, ProviderRequest, ProviderResponse } from "../provider.js";
import { abortError } from "../shared/abort.js";
import { loadEnvironment } from "../shared/environment.js";
import { partialUsage } from "../shared/token-estimate.js";
import { childEnvironment } from "../../secrets/child-environment.js";
import { secretValuesOf } from "../../secrets/redact.js";
import { commandFailure } from "./cli-failure.js";
import { parseCommandOutput } from "./cli-output.js";
import { renderPrompt } from "./cli-prompt.js";
import { findExecutable } from "./find-executable.js";
import { runCommand } from "./run-command.js";

export function createCliProvider(id: string, settings: CliProvider, context: ProviderContext): Provider {
  const environment = loadEnvironment(context);
  // The tool sees the allowlist and what `pass_env` names, never the other providers' keys.
  const commandEnvironment = childEnvironment(environment, settings.pass_env ?? []);
  const [program, ...argumentTemplates] = settings.command;
  const secrets = secretValuesOf(environment);

  function failure(kind: "unavailable" | "server", message: string): ProviderError {
    return new ProviderError({ kind, retryable: false, provider: id, message: `${id}: ${message}` });
  }

  /** The cap's reason when today's calls reached it; the store counts calls, so this does no I/O. */
  async function capReached(): Promise<string | undefined> {
    if (settings.daily_call_cap === undefined || context.callsToday === undefined) return undefined;
    const calls = await context.callsToday(id);
    return calls >= settings.daily_call_cap ? `daily call cap reached (${calls} of ${settings.daily_call_cap} calls today)` : undefined;
  }

  async function call(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const capped = await capReached();
    if (capped !== undefined) throw failure("unavailable", capped);
    const started = performance.now();
    const prompt = renderPrompt(request.messages);
    const outcome = await runCommand({
      program: program as string,
      // `{model}` is replaced inside each argument; the argument stays one argument whatever it holds.
      args: argumentTemplates.map((argument) => argument.replaceAll("{model}", request.model)),
      stdin: prompt,
      env: commandEnvironment,
      cwd: context.workingDirectory,
      signal,
    });
    if (!outcome.started) {
      const missing = outcome.error.code === "ENOENT";
      throw failure("unavailable", missing ? `command not found: ${program}` : `cannot start ${program}: ${outcome.error.message}`);
    }
    if (signal.aborted) throw abortError(id, signal);
    const result = outcome.result;
    if (result.exitCode !== 0) {
      throw commandFailure({ providerId: id, program: path.basename(program as string), ...result, secrets });
    }
    const parsed = parseCommandOutput(result.stdout, settings);
    if (!parsed.ok) throw failure("server", parsed.problem);
    return {
      text: parsed.text,
      // Tools that print counts (claude's JSON output) are believed; otherwise tokens are estimated.
      usage: parsed.reportedUsage ?? partialUsage(request.messages, parsed.text),
      model: request.model,
      latencyMs: Math.round(performance.now() - started),
    };
  }

  return {
    id,
    type: "cli",
    ...providerTraits.cli,
    call,

    async available() {
      if (findExecutable(program as string, environment, context.workingDirectory) === undefined) {
        return { available: false, reason: `command not found: ${program} (install it or fix \`command\` in the policy)` };
      }
      const capped = await capReached();
      return capped === undefined ? { available: true } : { available: false, reason: capped };
    },
  };
}
