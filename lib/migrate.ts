// Applies the migration series of the configured database kind, in order, each in its own
// transaction, under a lock so that several instances starting at once apply each migration once.
//
// Why not `prisma migrate deploy`: through the driver adapter it fails on PostgreSQL
// (prisma/orm#27403), and the classic engine needs a download these machines cannot make. The SQL
// itself is still authored by Prisma (`npm run db:new-migration`, see docs/decisions/001).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export type Kind = "sqlite" | "postgres";
type Migration = { name: string; sql: string; checksum: string };

export function migrationsDir(kind: Kind): string {
  return resolve(/*turbopackIgnore: true*/ process.cwd(), "prisma/migrations", kind);
}

export function readMigrations(kind: Kind): Migration[] {
  const dir = migrationsDir(kind);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

function checkApplied(applied: Map<string, string>, all: Migration[]): Migration[] {
  for (const [name, checksum] of applied) {
    const m = all.find((x) => x.name === name);
    if (!m)
      throw new MigrationError(
        `database has migration ${name}, which this version of the app does not know (is the app older than the database?)`,
      );
    if (m.checksum !== checksum)
      throw new MigrationError(`migration ${name} was changed after it was applied; add a new migration instead`);
  }
  return all.filter((m) => !applied.has(m.name));
}

export function sqliteFilePath(url: string): string {
  const path = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return resolve(/*turbopackIgnore: true*/ process.cwd(), path);
}

export async function migrateSqlite(url: string): Promise<string[]> {
  const { default: Database } = await import("better-sqlite3");
  const file = sqliteFilePath(url);
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    db.exec(
      `CREATE TABLE IF NOT EXISTS "_app_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`,
    );
    const done: string[] = [];
    // BEGIN IMMEDIATE takes the write lock up front: a second process waits instead of racing.
    db.exec("BEGIN IMMEDIATE");
    try {
      const rows = db.prepare(`SELECT name, checksum FROM "_app_migrations"`).all() as {
        name: string;
        checksum: string;
      }[];
      const pending = checkApplied(new Map(rows.map((r) => [r.name, r.checksum])), readMigrations("sqlite"));
      for (const m of pending) {
        db.exec(m.sql);
        db.prepare(`INSERT INTO "_app_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)`).run(
          m.name,
          m.checksum,
          new Date().toISOString(),
        );
        done.push(m.name);
      }
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
    return done;
  } finally {
    db.close();
  }
}

export async function migratePostgres(url: string): Promise<string[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const done: string[] = [];
    await client.query("BEGIN");
    try {
      // One lock for all instances: whoever gets it applies, the others then find nothing pending.
      await client.query("SELECT pg_advisory_xact_lock(8723461)");
      await client.query(
        `CREATE TABLE IF NOT EXISTS "_app_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMPTZ NOT NULL)`,
      );
      const { rows } = await client.query<{ name: string; checksum: string }>(
        `SELECT name, checksum FROM "_app_migrations"`,
      );
      const pending = checkApplied(new Map(rows.map((r) => [r.name, r.checksum])), readMigrations("postgres"));
      for (const m of pending) {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_app_migrations" (name, checksum, applied_at) VALUES ($1, $2, now())`, [
          m.name,
          m.checksum,
        ]);
        done.push(m.name);
      }
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK");
      throw e;
    }
    return done;
  } finally {
    await client.end();
  }
}

export function migrate(kind: Kind, url: string): Promise<string[]> {
  return kind === "postgres" ? migratePostgres(url) : migrateSqlite(url);
}
