/**
 * Opening the PostgreSQL store behind the `OrchStore` contract. This build has no PostgreSQL
 * implementation of the whole contract yet (its ledger lives in `store/postgres/`), so a URL is
 * refused plainly, as a usage error, before anything is written anywhere.
 */
import type { OrchStore } from "../contracts/orch-store.js";
import { OrchError, exitCodes } from "../errors/orch-error.js";
import { describePostgresUrl } from "./postgres/connection.js";

export async function openPostgresOrchStore(url: string): Promise<OrchStore> {
  throw new OrchError({
    message: `the PostgreSQL store is not available in this build (asked for ${describePostgresUrl(url)})`,
    exitCode: exitCodes.invalidConfigOrUsage,
    hint: "use a SQLite file: pass --db FILE, set ORCH_DB to a file, or name a file as `database:` in orch.config.yaml",
  });
}
