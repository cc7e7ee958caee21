/**
 * The one redactor. Everything orch shows or stores (errors, answers, checker output, events,
 * result and output files, recordings, SQLite rows) passes through a redactor built here from the
 * secret values of the run: the providers' keys and every variable whose name marks it as secret.
 * Servers also echo parts of keys ("Incorrect API key provided: sk-abc***wxyz") and headers, so
 * those shapes are scrubbed even when the value is not one orch knows.
 */

export const redactedMark = "[redacted]";

/** Names that mark a variable as secret: OPENAI_API_KEY, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, PGPASSWORD, SENTRY_DSN… */
const secretName = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|PRIVATE|COOKIE|DSN/i;

/** Shorter values would blank out ordinary words; real secrets are long. */
const shortestSecret = 8;

/** What servers and proxies echo back: a refused key, an Authorization or API-key header. */
const echoes: readonly RegExp[] = [
  /(API key provided:\s*)\S+/gi,
  /(\bBearer\s+)[\w.~+/=-]{8,}/gi,
  /(\b(?:x-api-key|x-goog-api-key|api[-_]?key)["']?\s*[:=]\s*["']?)[^\s"',;]{8,}/gi,
  // A database URL's password, whatever its length: `postgres://user:PASSWORD@host` (`***`: already hidden).
  /(\bpostgres(?:ql)?:\/\/[^\s:@/]*:)(?!\*{3}@)[^\s@/]+(?=@)/gi,
];

/**
 * Secrets orch learns while it runs that are no variable's value (the password of a `--db` or
 * `ORCH_DB` PostgreSQL URL): registered once, scrubbed by every redactor made afterwards.
 */
const registered = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= shortestSecret) registered.add(value);
}

/** Scrubs the registered secrets (and database URLs' passwords) from a message orch prints outside a run. */
export function scrubRegisteredSecrets(text: string): string {
  return createRedactor([])(text);
}

export type Redactor = (text: string) => string;

export function isSecretVariable(name: string): boolean {
  return secretName.test(name);
}

/** The values of the variables whose names mark them as secret. */
export function secretValuesOf(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (isSecretVariable(name) && value !== undefined && value.length >= shortestSecret ? [value] : []));
}

export function createRedactor(secrets: Iterable<string | undefined>): Redactor {
  // Longest first: a secret that contains another is replaced whole.
  const values = [...new Set([...secrets, ...registered].filter((secret): secret is string => secret !== undefined && secret.length >= shortestSecret))].sort((a, b) => b.length - a.length);
  return (text) => {
    let redacted = text;
    for (const value of values) if (redacted.includes(value)) redacted = redacted.split(value).join(redactedMark);
    for (const echo of echoes) redacted = redacted.replace(echo, `$1${redactedMark}`);
    return redacted;
  };
}

export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  return createRedactor(secrets)(text);
}

/** Every string inside a plain value (an event, a result), scrubbed; the shape is kept. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])) as T;
  }
  return value;
}
