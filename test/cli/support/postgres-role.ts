/**
 * A PostgreSQL store as a team would name it: a login role with a password, and a schema of its
 * own in the test file's database (so each store starts empty and its ids start at 1). The URL
 * carries the password, so a test can check that no output ever shows it. (The throwaway test
 * server trusts loopback connections, so the password is not checked on login; what matters here
 * is that orch has it in hand and never prints it.)
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { postgresServerUrl, type TestDatabase } from "../../support/postgres.js";

export interface PasswordedStore {
  url: string;
  password: string;
  role: string;
  schema: string;
}

export async function createPasswordedStore(database: TestDatabase): Promise<PasswordedStore> {
  const suffix = randomBytes(5).toString("hex");
  const role = `orch_e2e_${suffix}`;
  const schema = `store_${suffix}`;
  const password = `Pw-${randomBytes(9).toString("base64url")}-secret`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    // A role is the cluster's, not the database's: dropPasswordedRoles removes it after the database.
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
  } finally {
    await admin.end();
  }
  const url = new URL(database.url);
  url.username = role;
  url.password = password;
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), password, role, schema };
}

/** After the database they own objects in is dropped. */
export async function dropRoles(roles: readonly string[]): Promise<void> {
  if (roles.length === 0) return;
  const admin = new pg.Client({ connectionString: postgresServerUrl() });
  await admin.connect();
  try {
    for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await admin.end();
  }
}
