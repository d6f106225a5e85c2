// Reading the test database behind the app's back, to assert what is really stored.
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import type { TestApp } from "./server";

export async function query<T = Record<string, unknown>>(
  app: Pick<TestApp, "db">,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (app.db.kind === "sqlite") {
    const db = new Database(app.db.sqliteFile!, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql.replace(/\$\d+/g, "?")).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Runs a write behind the app's back (to simulate tampering or a bug). */
export async function execute(app: Pick<TestApp, "db">, sql: string, params: unknown[] = []): Promise<void> {
  if (app.db.kind === "sqlite") {
    const db = new Database(app.db.sqliteFile!);
    try {
      db.pragma("busy_timeout = 10000");
      db.prepare(sql.replace(/\$\d+/g, "?")).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function countRows(
  app: Pick<TestApp, "db">,
  table: string,
  where = "1=1",
  params: unknown[] = [],
): Promise<number> {
  const rows = await query<{ n: number | string }>(app, `SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`, params);
  return Number(rows[0]!.n);
}

/** The raw bytes of the database as an attacker with the disk (or a dump) would see them. */
export async function rawDatabaseBytes(app: Pick<TestApp, "db">): Promise<Buffer> {
  if (app.db.kind === "sqlite") {
    const parts = [app.db.sqliteFile!, `${app.db.sqliteFile}-wal`].map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    });
    return Buffer.concat(parts);
  }
  const { execFileSync } = await import("node:child_process");
  return execFileSync("pg_dump", ["--data-only", "--inserts", app.db.url], { maxBuffer: 512 * 1024 * 1024 });
}
