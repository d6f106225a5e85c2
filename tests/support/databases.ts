// Fresh databases for tests. Refuses anything but a local server: tests drop and create databases.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";

export type TestDbKind = "sqlite" | "postgres";

export function testDbKind(): TestDbKind {
  return process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
}

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host))
    throw new Error(`tests refuse a non-local database (${host})`);
}

export type TestDatabase = {
  kind: TestDbKind;
  url: string;
  dir: string;
  sqliteFile?: string;
  pgName?: string;
  drop: () => Promise<void>;
};

export async function freshDatabase(label: string, kind: TestDbKind = testDbKind()): Promise<TestDatabase> {
  const id = `${label
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  const dir = resolve(".test-runs", id);
  mkdirSync(dir, { recursive: true });
  if (kind === "sqlite") {
    const sqliteFile = join(dir, "app.db");
    return { kind: "sqlite", url: `file:${sqliteFile}`, dir, sqliteFile, drop: async () => {} };
  }
  assertLocal(PG_ADMIN_URL);
  const pgName = `cl_test_${id}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${pgName}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${pgName}`;
  return {
    kind: "postgres",
    url: url.toString(),
    dir,
    pgName,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`);
      await c.end();
    },
  };
}
