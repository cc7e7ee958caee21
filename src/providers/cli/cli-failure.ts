/** A failed command → ProviderError, with the end of stderr scrubbed of secrets. */
import { ProviderError, type ProviderErrorKind } from "../provider-error.js";
import { redactSecrets } from "../../secrets/redact.js";

/** What coding-agent CLIs print when the subscription is throttled or the login is missing. */
function kindOfStderr(stderr: string): { kind: ProviderErrorKind; retryable: boolean } {
  if (/rate.?limit|usage limit|too many requests|\b429\b|overloaded/i.test(stderr)) return { kind: "rate_limit", retryable: true };
  if (/not logged in|please log ?in|\/login\b|unauthori[sz]ed|authentication|invalid api key|\b401\b/i.test(stderr)) return { kind: "auth", retryable: false };
  // Otherwise a failing command usually fails the same way again: not worth a subscription call.
  return { kind: "server", retryable: false };
}

export function commandFailure(options: {
  providerId: string;
  program: string;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stderrTail: string;
  secrets: string[];
}): ProviderError {
  const how = options.exitSignal === null ? `exited with code ${options.exitCode}` : `was killed by ${options.exitSignal}`;
  const stderr = redactSecrets(options.stderrTail.trim(), options.secrets);
  const { kind, retryable } = kindOfStderr(stderr);
  return new ProviderError({
    kind,
    retryable,
    provider: options.providerId,
    message: `${options.providerId}: ${options.program} ${how}${stderr === "" ? "" : `: ${stderr.split("\n").slice(-10).join("\n")}`}`,
  });
}
