/**
 * The store: the only door to persistence. `openStore` takes where the store is — a SQLite file
 * (the embedded default) or a PostgreSQL URL (a team's shared store) — and answers the one
 * asynchronous contract (`contracts/orch-store.ts`) both implement; callers never learn which.
 */
import type { OrchStore } from "../contracts/orch-store.js";
import { registerSecret } from "../secrets/redact.js";
import { defaultDatabasePath } from "./database.js";
import { isPostgresUrl, passwordsOfPostgresUrl } from "./postgres-url.js";
import { openSqliteStore } from "./sqlite-store.js";

export type { OrchStore, StoreKind } from "../contracts/orch-store.js";

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
  for (const password of passwordsOfPostgresUrl(url)) registerSecret(password);
  // Loaded only for a URL: a SQLite user never pays for the driver's import.
  const { openPostgresOrchStore } = await import("./postgres/index.js");
  return openPostgresOrchStore(url);
}

export { defaultDatabasePath };
export { describePostgresUrl, isPostgresUrl } from "./postgres-url.js";
import type { CopyOutcome, CopyProgress } from "./copy/sqlite-to-postgres.js";
export type { CopyOutcome, CopyProgress };

/** `orch db copy`: a SQLite store's history into an empty PostgreSQL store, in one transaction (store/copy/). */
export async function copySqliteToPostgres(
  sqliteFile: string,
  postgresUrl: string,
  onTable?: (progress: CopyProgress) => void,
): Promise<CopyOutcome> {
  for (const password of passwordsOfPostgresUrl(postgresUrl)) registerSecret(password);
  // Loaded only when asked: it brings the PostgreSQL driver.
  const { copySqliteToPostgres: copy } = await import("./copy/sqlite-to-postgres.js");
  return copy(sqliteFile, postgresUrl, onTable);
}
