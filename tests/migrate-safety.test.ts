// The migrator cannot destroy data (issue 20): a table rebuild keeps the rows that point at the
// rebuilt table, a migration that loses rows it does not declare rolls the whole upgrade back naming
// the table, a broken foreign key does too, and the backup taken first is a database that opens.
// Small migration series written here, applied with the real migrator to a real database.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { declaredRemovals, migrate, MigrationError, type MigrationLogger } from "../lib/data/migrate";
import { freshDatabase, testDbKind, type TestDatabase } from "./support/databases";

const kind = testDbKind();
const created: TestDatabase[] = [];
afterAll(async () => {
  for (const d of created) await d.drop();
});

// A parent and a child that cascades from it: the shape of users and consent_states.
const INIT = `CREATE TABLE "parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);
CREATE TABLE "child" ("id" INTEGER NOT NULL PRIMARY KEY, "parent_id" INTEGER NOT NULL,
  CONSTRAINT "child_parent_fkey" FOREIGN KEY ("parent_id") REFERENCES "parent" ("id") ON DELETE CASCADE);
INSERT INTO "parent" ("id", "name") VALUES (1, 'a'), (2, 'b');
INSERT INTO "child" ("id", "parent_id") VALUES (10, 1), (11, 1), (12, 2);
`;
// What `prisma migrate diff` writes for SQLite when a column changes: a rebuild of the parent, with
// PRAGMAs that are no-ops inside the migrator's transaction (the bug of issue 20).
const REBUILD = `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "extra" TEXT);
INSERT INTO "new_parent" ("id", "name") SELECT "id", "name" FROM "parent";
DROP TABLE "parent";
ALTER TABLE "new_parent" RENAME TO "parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`;

type Series = Record<string, string>;
let dirs = 0;
function series(db: TestDatabase, migrations: Series): string {
  const dir = join(db.dir, `migrations-${dirs++}`);
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

async function rows(db: TestDatabase, sql: string): Promise<Record<string, unknown>[]> {
  if (db.kind === "sqlite") {
    const d = new Database(db.sqliteFile!, { readonly: true });
    try {
      return d.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      d.close();
    }
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}
const count = async (db: TestDatabase, table: string) =>
  Number((await rows(db, `SELECT COUNT(*) AS n FROM "${table}"`))[0]!.n);
const appliedNames = async (db: TestDatabase) =>
  (await rows(db, `SELECT name FROM "_app_migrations" ORDER BY name`)).map((r) => r.name);

function recorder() {
  const lines: Record<string, unknown>[] = [];
  const logger: MigrationLogger = { info: (o) => lines.push(o), warn: (o) => lines.push(o) };
  return { lines, logger };
}

async function initialised(label: string): Promise<{ db: TestDatabase; backups: string }> {
  const db = await freshDatabase(label);
  created.push(db);
  const backups = join(db.dir, "backups");
  expect(await migrate(kind, db.url, { migrationsDir: series(db, { "0001_init": INIT }), backupDir: backups })).toEqual(
    ["0001_init"],
  );
  // A brand-new database has nothing to lose: no backup for it.
  expect(existsSync(backups)).toBe(false);
  return { db, backups };
}

it("reads the tables a migration declares it removes rows from", () => {
  expect(declaredRemovals(`-- removes-rows: sessions, "rate_limits"\nDELETE FROM sessions;`)).toEqual([
    "sessions",
    "rate_limits",
  ]);
  expect(declaredRemovals(`-- removes-rows: child (why it may), other`)).toEqual(["child", "other"]);
  expect(declaredRemovals(`CREATE TABLE x (id INT); -- removes-rows: not at line start`)).toEqual([]);
});

// SQLite only: PostgreSQL alters tables in place and enforces foreign keys inside the transaction, so
// there is no rebuild to guard and no check to switch off.
describe.runIf(kind === "sqlite")("SQLite table rebuilds", () => {
  it("a rebuild of the parent table keeps every child row, with foreign keys on again afterwards", async () => {
    const { db, backups } = await initialised("migsafe-rebuild");
    const { lines, logger } = recorder();
    const dir = series(db, { "0001_init": INIT, "0002_rebuild": REBUILD });
    expect(await migrate(kind, db.url, { migrationsDir: dir, backupDir: backups, logger })).toEqual(["0002_rebuild"]);
    expect(await count(db, "child")).toBe(3);
    expect(await count(db, "parent")).toBe(2);
    expect((await rows(db, `PRAGMA table_info("parent")`)).map((c) => c.name)).toContain("extra");
    // The child still references the rebuilt table, and a delete still cascades.
    const d = new Database(db.sqliteFile!);
    expect(d.pragma("foreign_key_check")).toEqual([]);
    d.pragma("foreign_keys = ON");
    d.prepare(`DELETE FROM "parent" WHERE id = 1`).run();
    expect(d.prepare(`SELECT COUNT(*) AS n FROM "child"`).get()).toEqual({ n: 1 });
    d.close();
    expect(lines).toContainEqual({ event: "migration.applied", migration: "0002_rebuild" });
  });

  it("a migration that breaks a foreign key is rolled back, naming the table", async () => {
    const { db, backups } = await initialised("migsafe-fk");
    const dir = series(db, {
      "0001_init": INIT,
      "0002_rebuild": REBUILD,
      "0003_orphan": `INSERT INTO "child" ("id", "parent_id") VALUES (99, 42);\n`,
    });
    const err = await migrate(kind, db.url, { migrationsDir: dir, backupDir: backups }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/1 row\(s\) of table "child" point to no row of "parent"/);
    expect(await appliedNames(db)).toEqual(["0001_init"]);
    expect(await count(db, "child")).toBe(3);
    expect((await rows(db, `PRAGMA table_info("parent")`)).map((c) => c.name)).not.toContain("extra");
  });
});

describe(`row counts on ${kind}`, () => {
  it("a migration that loses rows it does not declare rolls back the whole upgrade, naming the table", async () => {
    const { db, backups } = await initialised("migsafe-loss");
    const dir = series(db, {
      "0001_init": INIT,
      "0002_add": `CREATE TABLE "other" ("id" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO "parent" ("id", "name") VALUES (3, 'c');\n`,
      "0003_lose": `DELETE FROM "child" WHERE "id" = 10;\n`,
    });
    const err = await migrate(kind, db.url, { migrationsDir: dir, backupDir: backups }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(
      /migration 0003_lose removed 1 of 3 row\(s\) from table "child" without declaring it/,
    );
    // Nothing of the upgrade stayed, not even the migration before the one that failed.
    expect(await appliedNames(db)).toEqual(["0001_init"]);
    expect(await count(db, "child")).toBe(3);
    expect(await count(db, "parent")).toBe(2);
    expect(
      await rows(
        db,
        `SELECT 1 FROM ${kind === "sqlite" ? "sqlite_master WHERE name = 'other'" : "pg_tables WHERE tablename = 'other'"}`,
      ),
    ).toEqual([]);
  });

  it("the same loss, declared, is applied", async () => {
    const { db, backups } = await initialised("migsafe-declared");
    const dir = series(db, {
      "0001_init": INIT,
      "0002_lose": `-- removes-rows: child (pairs of a parent that no longer exist are dropped on purpose)\nDELETE FROM "child" WHERE "id" = 10;\n`,
    });
    expect(await migrate(kind, db.url, { migrationsDir: dir, backupDir: backups })).toEqual(["0002_lose"]);
    expect(await count(db, "child")).toBe(2);
  });

  it("takes a backup before applying anything, one that opens and holds the data as it was", async () => {
    const { db, backups } = await initialised("migsafe-backup");
    const { lines, logger } = recorder();
    const dir = series(db, {
      "0001_init": INIT,
      "0002_more": `INSERT INTO "parent" ("id", "name") VALUES (3, 'c');\n`,
    });
    expect(await migrate(kind, db.url, { migrationsDir: dir, backupDir: backups, logger })).toEqual(["0002_more"]);
    const files = readdirSync(backups);
    expect(files).toHaveLength(1);
    const path = join(backups, files[0]!);
    expect(files[0]).toMatch(kind === "sqlite" ? /^before-0002_more-.*\.db$/ : /^before-0002_more-.*\.dump$/);
    expect(lines).toContainEqual({ event: "migration.backup", path });
    // It holds what the database holds: for the app's user only.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    if (kind === "sqlite") {
      const b = new Database(path, { readonly: true, fileMustExist: true });
      expect(b.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(b.prepare(`SELECT COUNT(*) AS n FROM "parent"`).get()).toEqual({ n: 2 });
      expect(b.prepare(`SELECT COUNT(*) AS n FROM "child"`).get()).toEqual({ n: 3 });
      b.close();
    } else {
      // Restored into a fresh database, it holds the rows as they were before the upgrade.
      const restored = await freshDatabase("migsafe-restored", "postgres");
      created.push(restored);
      execFileSync("pg_restore", ["--no-owner", `--dbname=${restored.url}`, path]);
      expect(await count(restored, "parent")).toBe(2);
      expect(await count(restored, "child")).toBe(3);
      expect(await appliedNames(restored)).toEqual(["0001_init"]);
    }
    // Up to date: no second backup.
    expect(await migrate(kind, db.url, { migrationsDir: dir, backupDir: backups })).toEqual([]);
    expect(readdirSync(backups)).toHaveLength(1);
  });
});
