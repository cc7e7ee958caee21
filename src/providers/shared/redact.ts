/**
 * Keeps keys out of messages. Servers echo part of a refused key ("Incorrect API key provided:
 * sk-abc***wxyz") and proxies sometimes echo headers, so every message from outside is scrubbed
 * of the key itself and of such echoes before it becomes a ProviderError.
 */

const echoedKey = /(API key provided:\s*)\S+/gi;

export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let redacted = text.replace(echoedKey, "$1[redacted]");
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; real keys are long.
    if (secret !== undefined && secret.length >= 8) redacted = redacted.split(secret).join("[redacted]");
  }
  return redacted;
}
