/**
 * The store: the only door to persistence. `openStore` takes where the store is — a SQLite file
 * (the embedded default) or a PostgreSQL URL (a team's shared store) — and answers the one
 * asynchronous contract (`contracts/orch-store.ts`) both implement; callers never learn which.
 */
import type { OrchStore } from "../contracts/orch-store.js";
import { registerSecret } from "../secrets/redact.js";
import { defaultDatabasePath } from "./database.js";
import { openSqliteStore } from "./sqlite-store.js";

export type { OrchStore, StoreKind } from "../contracts/orch-store.js";

/** `postgres://…` or `postgresql://…` (the two schemes libpq accepts); anything else is a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location.trim());
}

/**
 * Where the store is, strongest first: `--db`, then `ORCH_DB`, then the project's `database`
 * setting, then `$ORCH_HOME/orch.db` (default `~/.orch/orch.db`). Each may be a file or a URL.
 */
export function storeLocation(choice: { flag?: string | undefined; env: NodeJS.ProcessEnv; setting?: string | undefined }): string {
  const fromEnvironment = choice.env.ORCH_DB?.trim();
  return choice.flag ?? (fromEnvironment ? fromEnvironment : undefined) ?? choice.setting ?? defaultDatabasePath(choice.env);
}

export async function openStore(location: string = defaultDatabasePath()): Promise<OrchStore> {
  if (!isPostgresUrl(location)) return openSqliteStore(location);
  const url = location.trim();
  // Before anything can print the URL (a refused connection, a message naming the store): every
  // redactor made from now on scrubs its password.
  registerUrlPassword(url);
  // Loaded only for a URL: a SQLite user never pays for the driver's import.
  const { openPostgresOrchStore } = await import("./postgres/index.js");
  return openPostgresOrchStore(url);
}

/** The password as written in the URL (in its user part or as `?password=`) and as decoded: either may be echoed. */
function registerUrlPassword(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  for (const password of [parsed.password, parsed.searchParams.get("password") ?? ""]) {
    if (password === "") continue;
    registerSecret(password);
    try {
      registerSecret(decodeURIComponent(password));
    } catch {
      // A malformed escape: the raw form is registered already.
    }
  }
}

export { defaultDatabasePath };
