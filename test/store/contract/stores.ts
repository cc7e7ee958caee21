/**
 * The stores the contract suite (test/store/contract/*.test.ts) runs against: every test runs once
 * per factory listed in `storeFactories`, on a fresh, empty store of its own. Adding an
 * implementation is one line here.
 *
 * PostgreSQL needs ORCH_TEST_POSTGRES_URL (skipped, saying so, without it; a failure instead when
 * ORCH_REQUIRE_POSTGRES=1). Each test file gets its own database and each test its own schema in
 * it, so files running at once never meet, and ids start at 1 in every test.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe } from "node:test";
import pg from "pg";
import type { OrchStore } from "../../../src/contracts/orch-store.js";
import { openPostgresOrchStore } from "../../../src/store/postgres/index.js";
import { temporaryDirectory } from "../../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";
import { openStore } from "../../../src/store/index.js";

export interface StoreFactory {
  readonly name: string;
  /** Why this store's tests skip, or false when they run. */
  readonly skip: string | false;
  /** Once per suite, before its first store. */
  setUp(): Promise<void>;
  /** A fresh, empty store; closed by the suite after each test. */
  open(): Promise<OrchStore>;
  /** Once per suite, after its last store is closed. */
  tearDown(): Promise<void>;
}

export function sqliteFactory(name: string, openStore: (file: string) => OrchStore | Promise<OrchStore>): StoreFactory {
  let directory = "";
  let count = 0;
  return {
    name,
    skip: false,
    async setUp() {
      directory = temporaryDirectory("orch-store-contract-");
    },
    async open() {
      return openStore(path.join(directory, `orch-${++count}.db`));
    },
    async tearDown() {},
  };
}

export function postgresFactory(): StoreFactory {
  let database: TestDatabase | undefined;
  let admin: pg.Client | undefined;
  return {
    name: "PostgreSQL",
    skip: postgresSkip(),
    async setUp() {
      database = await createTestDatabase("orch_store_contract");
      admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
    },
    async open() {
      const schema = `test_${randomBytes(6).toString("hex")}`;
      await admin!.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(database!.url);
      url.searchParams.set("options", `-c search_path=${schema}`);
      return openPostgresOrchStore(url.toString(), { maxConnections: 4 });
    },
    async tearDown() {
      await admin?.end();
      await database?.drop();
    },
  };
}

/** The SQLite store behind the asynchronous contract, for tests that need one on purpose (`orch db copy` reads a SQLite file). */
export const openSqliteStore: (file: string) => Promise<OrchStore> = (file) => openStore(file);

export const storeFactories: readonly (() => StoreFactory)[] = [
  postgresFactory,
  () => sqliteFactory("SQLite", (file) => openStore(file)),
];

/** Declares `body`'s tests once per store, each test on a fresh store that `current()` answers. */
export function describeEachStore(title: string, body: (current: () => OrchStore) => void): void {
  for (const make of storeFactories) {
    const factory = make();
    describe(`${title} (${factory.name})`, { skip: factory.skip }, () => {
      let store: OrchStore | undefined;
      before(() => factory.setUp());
      after(() => factory.tearDown());
      beforeEach(async () => {
        store = await factory.open();
      });
      afterEach(async () => {
        await store?.close();
        store = undefined;
      });
      body(() => store!);
    });
  }
}
