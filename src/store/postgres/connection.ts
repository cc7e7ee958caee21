/**
 * Connections to a PostgreSQL store through node-postgres (`pg`): one pool per process, and one
 * helper for transactions. BIGINT and NUMERIC (what SUM of a BIGINT returns) come back from the
 * driver as strings; here they become numbers, checked to be exact, because the ledger's money is
 * integer nano-dollars and a silently rounded cent would be a lie.
 */
import pg from "pg";
import { OrchError, exitCodes } from "../../errors/orch-error.js";
import { describePostgresUrl } from "../postgres-url.js";

export { describePostgresUrl };

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

const bigintOid = 20;
const numericOid = 1700;

function exactNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`PostgreSQL returned ${text}, which is not an exact whole number below 2^53`);
  return value;
}

const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === bigintOid || oid === numericOid ? exactNumber : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** `postgres://user@host:port/database`; the password, if any, is never printed. */
  url: string;
  /** Connections this process may hold at once (default 10). */
  maxConnections?: number;
}

export function openPostgresPool(options: PostgresOptions): PostgresPool {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, types });
  // An idle connection that breaks (server restart) is dropped by the pool; without a listener
  // the error would end the process.
  pool.on("error", () => {});
  return pool;
}


export function postgresUnreachable(url: string, error: unknown): OrchError {
  return new OrchError({
    message: `cannot reach the PostgreSQL store at ${describePostgresUrl(url)}: ${(error as Error).message}`,
    exitCode: exitCodes.invalidConfigOrUsage,
    hint: "check that the server runs and that the URL's user, host, port and database are right",
    cause: error,
  });
}

/** What `work` returns to undo its transaction yet still answer `value`. */
export interface Rollback<T> {
  readonly rollbackValue: T;
}

export function rollback<T>(value: T): Rollback<T> {
  return { rollbackValue: value };
}

function isRollback<T>(result: T | Rollback<T>): result is Rollback<T> {
  return typeof result === "object" && result !== null && "rollbackValue" in result;
}

/**
 * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it
 * throws. `work` may also return `rollback(value)` to undo everything and still answer `value`
 * (a refused reservation changes nothing).
 */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T | Rollback<T>>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    if (isRollback(result)) {
      await client.query("ROLLBACK");
      return result.rollbackValue;
    }
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
