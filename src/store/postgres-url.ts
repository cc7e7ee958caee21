/**
 * What a PostgreSQL URL may show and what it must hide, without loading the driver: a store's
 * `location` (every message names the store by it) and the passwords the redactor must scrub.
 */

/** `postgres://…` or `postgresql://…` (the two schemes libpq accepts); anything else is a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location.trim());
}

/** The URL with every password shown as `***`: in its user part, and as libpq's `?password=`. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    for (const name of [...parsed.searchParams.keys()]) if (name.toLowerCase() === "password") parsed.searchParams.set(name, "***");
    return parsed.toString();
  } catch {
    return "<an unreadable PostgreSQL URL>";
  }
}

/** Every password the URL carries, as written and as decoded (either may be echoed back). */
export function passwordsOfPostgresUrl(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const written = [parsed.password, ...[...parsed.searchParams.entries()].filter(([name]) => name.toLowerCase() === "password").map(([, value]) => value)];
  const passwords = new Set<string>();
  for (const password of written) {
    if (password === "") continue;
    passwords.add(password);
    try {
      passwords.add(decodeURIComponent(password));
    } catch {
      // A malformed escape: the raw form is kept already.
    }
  }
  return [...passwords];
}
