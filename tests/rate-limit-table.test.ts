// The rate limiter's table comes from the migrations, not from the running app (issue 12): on a
// fresh database migrated once, the production build serves and limits requests while every DDL
// statement it runs is recorded (PostgreSQL: an event trigger; SQLite: the schema before and after).
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { migrate } from "../lib/data/migrate";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { freshDatabase, testDbKind, type TestDatabase } from "./support/databases";
import { query } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

let app: TestApp | undefined;
let db: TestDatabase | undefined;
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function onPg<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

function sqliteSchema(file: string): string[] {
  const d = new Database(file, { readonly: true });
  try {
    return (
      d
        .prepare("SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS s FROM sqlite_master ORDER BY name")
        .all() as { s: string }[]
    ).map((r) => r.s);
  } finally {
    d.close();
  }
}

it(`${testDbKind()}: the migrations create the rate-limit table, and the app runs no DDL of its own`, async () => {
  db = await freshDatabase("rl-table");
  await migrate(db.kind, db.url);
  // The columns rate-limiter-flexible's RateLimiterPostgres reads and writes.
  const columns =
    db.kind === "sqlite"
      ? (() => {
          const d = new Database(db.sqliteFile!, { readonly: true });
          try {
            return (d.prepare(`PRAGMA table_info("rate_limits")`).all() as { name: string }[]).map((c) => c.name);
          } finally {
            d.close();
          }
        })()
      : await onPg(db.url, async (c) =>
          (
            await c.query(
              "SELECT column_name FROM information_schema.columns WHERE table_name = 'rate_limits' ORDER BY ordinal_position",
            )
          ).rows.map((r) => r.column_name as string),
        );
  expect(columns).toEqual(["key", "points", "expire"]);

  const before = db.kind === "sqlite" ? sqliteSchema(db.sqliteFile!) : [];
  if (db.kind === "postgres") {
    await onPg(db.url, async (c) => {
      await c.query("CREATE TABLE ddl_seen (tag text, statement text)");
      await c.query(
        "CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO ddl_seen VALUES (tg_tag, current_query()); END $$",
      );
      await c.query("CREATE EVENT TRIGGER note_ddl ON ddl_command_start EXECUTE FUNCTION note_ddl()");
    });
  }

  app = await startApp({ label: "rl-table", db, env: { RATE_LIMIT_FACTOR: "1" } });
  const c = new Client(app.origin);
  await c.signIn({ id: "4400007000001" }, ONLY_ACCOUNT);
  for (let i = 0; i < 10; i++) expect((await c.get("/api/me/export")).status).toBe(200);
  expect((await c.get("/api/me/export")).status).toBe(429);

  if (db.kind === "postgres") {
    // The limiter really counts in the migrated table.
    expect((await query(app, "SELECT key FROM rate_limits")).length).toBeGreaterThan(0);
    // At start the migration runner makes sure its own bookkeeping table exists; nothing else.
    const seen = await query<{ tag: string; statement: string }>(app, "SELECT tag, statement FROM ddl_seen");
    expect(seen.filter((s) => !/"_app_migrations"/.test(s.statement))).toEqual([]);
  } else {
    expect(sqliteSchema(db.sqliteFile!)).toEqual(before);
  }
});
