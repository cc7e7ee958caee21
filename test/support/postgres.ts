/**
 * Tests that need a real PostgreSQL read its URL from ORCH_TEST_POSTGRES_URL (`.ci/run` starts a
 * throwaway server and sets it; README "Working on orch itself" shows how locally). Without it they
 * skip and say why — unless ORCH_REQUIRE_POSTGRES=1 (CI), where a missing server is a failure,
 * never a silent skip. Each test file gets its own fresh database on that server.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export type PostgresTestSetting = { kind: "run"; url: string } | { kind: "skip"; reason: string } | { kind: "fail"; reason: string };

export function postgresTestSetting(env: NodeJS.ProcessEnv = process.env): PostgresTestSetting {
  const url = env.ORCH_TEST_POSTGRES_URL?.trim();
  if (url) return { kind: "run", url };
  if (env.ORCH_REQUIRE_POSTGRES === "1") {
    return { kind: "fail", reason: "ORCH_REQUIRE_POSTGRES=1 but ORCH_TEST_POSTGRES_URL is not set: start a server (scripts/postgres-test-server.sh start) and export its URL" };
  }
  return {
    kind: "skip",
    reason: "PostgreSQL tests skipped: ORCH_TEST_POSTGRES_URL is not set (see README, 'Running the PostgreSQL tests')",
  };
}

/** `describe`'s skip option: the reason when these tests skip, false when they run (or must fail). */
export function postgresSkip(setting: PostgresTestSetting = postgresTestSetting()): string | false {
  return setting.kind === "skip" ? setting.reason : false;
}

/** The server's URL; throws (failing the test) when PostgreSQL is required but not given. */
export function postgresServerUrl(setting: PostgresTestSetting = postgresTestSetting()): string {
  if (setting.kind === "run") return setting.url;
  throw new Error(setting.reason);
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server, so test files running at once never share rows. */
export async function createTestDatabase(prefix = "orch_test"): Promise<TestDatabase> {
  const serverUrl = postgresServerUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
