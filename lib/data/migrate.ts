// Applies the migration series of the configured database kind, in order, in one transaction,
// under a lock so that several instances starting at once apply each migration once.
//
// An upgrade must not lose what people decided or stored, so every upgrade of a database that
// already holds data is guarded three ways:
// - a consistent backup is taken first, and where it is is logged (backupDatabase below);
// - on SQLite, foreign keys are switched off OUTSIDE the transaction, as SQLite's documented
//   procedure for altering a table requires: inside a transaction `PRAGMA foreign_keys=OFF` is a
//   no-op, so a rebuild's `DROP TABLE "users"` used to cascade into every child table (issue 20).
//   `PRAGMA foreign_key_check` runs before the commit instead;
// - every table's rows are counted before and after each migration: a table that lost rows the
//   migration does not declare (a `-- removes-rows: table, table` line in its migration.sql) rolls
//   the whole upgrade back, naming the table.
//
// Why not `prisma migrate deploy`: through the driver adapter it fails on PostgreSQL
// (prisma/orm#27403), and the classic engine needs a download these machines cannot make. The SQL
// itself is still authored by Prisma (`npm run db:new-migration`, see docs/decisions/001).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

export type Kind = "sqlite" | "postgres";
export type Migration = { name: string; sql: string; checksum: string; removesRows: string[] };

/** Where the migrator reports; lib/core/log.ts's logger fits. No personal data is ever passed. */
export type MigrationLogger = {
  info: (obj: Record<string, unknown>, msg: string) => void;
  warn: (obj: Record<string, unknown>, msg: string) => void;
};
export type MigrateOptions = {
  /** Where the pre-upgrade backup goes (BACKUP_DIR); beside a SQLite file, or data/backups, when absent. */
  backupDir?: string;
  logger?: MigrationLogger;
  /** The series to apply; migrationsDir(kind) when absent (tests pass their own). */
  migrationsDir?: string;
};

const silent: MigrationLogger = { info: () => {}, warn: () => {} };

export function migrationsDir(kind: Kind): string {
  return resolve(/*turbopackIgnore: true*/ process.cwd(), "prisma/migrations", kind);
}

/**
 * The tables a migration may leave with fewer rows, from `-- removes-rows: a, b (why)` lines
 * anywhere in its migration.sql (text in parentheses is the reason, for the reader). Every other
 * table must keep every row.
 */
export function declaredRemovals(sql: string): string[] {
  return [...sql.matchAll(/^--\s*removes-rows:\s*(.+)$/gm)].flatMap((m) =>
    m[1]!
      .replace(/\([^)]*\)/g, "")
      .split(",")
      .map((t) => t.trim().replace(/^"|"$/g, ""))
      .filter(Boolean),
  );
}

export function readMigrations(kind: Kind, dir = migrationsDir(kind)): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return {
        name,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
        removesRows: declaredRemovals(sql),
      };
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

type Counts = Map<string, number>;

/** The first table that lost rows `m` does not declare, as an error; null when none did. */
export function lostRows(m: Migration, before: Counts, after: Counts): MigrationError | null {
  for (const [table, n] of before) {
    const now = after.get(table) ?? 0;
    if (now < n && !m.removesRows.includes(table))
      return new MigrationError(
        `migration ${m.name} removed ${n - now} of ${n} row(s) from table "${table}" without declaring it ` +
          `(a "-- removes-rows: ${table}" line); the upgrade was rolled back and the database is unchanged`,
      );
  }
  return null;
}

export function sqliteFilePath(url: string): string {
  const path = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return resolve(/*turbopackIgnore: true*/ process.cwd(), path);
}

/** Where a pre-upgrade backup goes when the caller names no directory (the app passes BACKUP_DIR). */
function fallbackBackupDir(kind: Kind, url: string): string {
  return kind === "sqlite"
    ? join(dirname(sqliteFilePath(url)), "backups")
    : resolve(/*turbopackIgnore: true*/ process.cwd(), "data", "backups");
}

/** A backup written (`path`), or, without pg_dump on the PATH, the command an operator should run. */
export type Backup = { path: string; command?: undefined } | { path?: undefined; command: string };

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-");
}

/** pg_dump is not on the PATH: nothing was written. */
export class BackupToolMissing extends Error {
  override name = "BackupToolMissing";
}

export const PG_DUMP_ARGS = ["--format=custom", "--no-owner", "--no-privileges"];

/**
 * Writes a consistent copy of the whole database to `target` (mode 0600), the one writer behind the
 * pre-upgrade backup below and `npm run backup` (lib/data/backup.ts). SQLite: `VACUUM INTO`, which
 * reads through a connection and so includes what is still in the WAL, in one read transaction; the
 * copy is a plain database file. PostgreSQL: `pg_dump -Fc` (restore with pg_restore). Throws
 * BackupToolMissing without pg_dump, and an Error naming pg_dump's last words (never the URL) when
 * it fails.
 */
export async function writeBackup(kind: Kind, url: string, target: string): Promise<void> {
  // A backup holds what the database holds: readable by the app's user only.
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  if (kind === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(sqliteFilePath(url), { readonly: true, fileMustExist: true });
    try {
      db.pragma("busy_timeout = 10000");
      db.prepare("VACUUM INTO ?").run(target);
    } finally {
      db.close();
    }
  } else {
    try {
      await promisify(execFile)("pg_dump", [...PG_DUMP_ARGS, `--file=${target}`, `--dbname=${url}`], {
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new BackupToolMissing("pg_dump is not on the PATH");
      // Its message names the host at most (never the password); the URL itself is not repeated.
      const detail = String((e as { stderr?: string }).stderr ?? "")
        .trim()
        .split("\n")
        .slice(-2)
        .join(" ");
      throw new Error(`pg_dump: ${detail}`);
    }
  }
  chmodSync(target, 0o600);
}

/**
 * A consistent copy of the whole database in `dir` (writeBackup); without pg_dump on the PATH
 * nothing is written and the command to run is returned instead. `label` becomes part of the file
 * name.
 */
export async function backupDatabase(kind: Kind, url: string, dir: string, label = "backup"): Promise<Backup> {
  const path = join(dir, `${label}-${stamp()}.${kind === "sqlite" ? "db" : "dump"}`);
  try {
    await writeBackup(kind, url, path);
  } catch (e) {
    if (e instanceof BackupToolMissing)
      return { command: `pg_dump ${PG_DUMP_ARGS.join(" ")} --file=${path} --dbname="$DATABASE_URL"` };
    throw new MigrationError(
      `the backup before upgrading failed (${e instanceof Error ? e.message : String(e)}); nothing was applied`,
    );
  }
  return { path };
}

async function backupBeforeUpgrade(kind: Kind, url: string, pending: Migration[], opts: MigrateOptions): Promise<void> {
  const logger = opts.logger ?? silent;
  const dir = opts.backupDir ?? fallbackBackupDir(kind, url);
  const backup = await backupDatabase(kind, url, dir, `before-${pending[0]!.name}`);
  if (backup.path) logger.info({ event: "migration.backup", path: backup.path }, "backup before upgrading");
  else
    logger.warn(
      { event: "migration.backup_skipped", command: backup.command },
      "pg_dump is not on the PATH, so no backup was taken before this upgrade; install the PostgreSQL client tools, or before upgrading take one with",
    );
}

function sqliteCounts(db: import("better-sqlite3").Database): Counts {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_app_migrations'`,
    )
    .pluck()
    .all() as string[];
  return new Map(
    tables.map((t) => [
      t,
      Number(
        db
          .prepare(`SELECT COUNT(*) FROM "${t.replace(/"/g, '""')}"`)
          .pluck()
          .get(),
      ),
    ]),
  );
}

export async function migrateSqlite(url: string, opts: MigrateOptions = {}): Promise<string[]> {
  const { default: Database } = await import("better-sqlite3");
  const logger = opts.logger ?? silent;
  const file = sqliteFilePath(url);
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // The wait first: switching a new file to WAL needs a lock another instance starting at the
    // same moment may hold, and without busy_timeout SQLite answers SQLITE_BUSY at once.
    db.pragma("busy_timeout = 10000");
    db.pragma("journal_mode = WAL");
    db.exec(
      `CREATE TABLE IF NOT EXISTS "_app_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`,
    );
    const appliedNow = () =>
      new Map(
        (db.prepare(`SELECT name, checksum FROM "_app_migrations"`).all() as { name: string; checksum: string }[]).map(
          (r) => [r.name, r.checksum],
        ),
      );
    const all = readMigrations("sqlite", opts.migrationsDir);
    // A first look without the lock decides whether a backup is due: a database that holds applied
    // migrations and has some pending. A brand-new one has nothing to lose. VACUUM INTO cannot run
    // inside a transaction, so the backup comes before the lock; it is a consistent snapshot either way.
    const seen = appliedNow();
    const pendingSeen = checkApplied(seen, all);
    if (!pendingSeen.length) return [];
    if (seen.size) await backupBeforeUpgrade("sqlite", url, pendingSeen, opts);

    // Outside any transaction, or it is a no-op (SQLite, "Making Other Kinds Of Table Schema Changes").
    db.pragma("foreign_keys = OFF");
    const done: string[] = [];
    try {
      // BEGIN IMMEDIATE takes the write lock up front: a second process waits instead of racing.
      db.exec("BEGIN IMMEDIATE");
      try {
        const pending = checkApplied(appliedNow(), all);
        for (const m of pending) {
          const before = sqliteCounts(db);
          db.exec(m.sql);
          const lost = lostRows(m, before, sqliteCounts(db));
          if (lost) throw lost;
          db.prepare(`INSERT INTO "_app_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)`).run(
            m.name,
            m.checksum,
            new Date().toISOString(),
          );
          done.push(m.name);
        }
        const broken = db.prepare("PRAGMA foreign_key_check").all() as { table: string; parent: string }[];
        if (broken.length) {
          const { table, parent } = broken[0]!;
          throw new MigrationError(
            `after migrating, ${broken.filter((b) => b.table === table).length} row(s) of table "${table}" ` +
              `point to no row of "${parent}"; the upgrade was rolled back and the database is unchanged`,
          );
        }
        db.exec("COMMIT");
      } catch (e) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw e;
      }
    } finally {
      db.pragma("foreign_keys = ON");
    }
    for (const name of done) logger.info({ event: "migration.applied", migration: name }, "migration applied");
    return done;
  } finally {
    db.close();
  }
}

type PgClient = import("pg").Client;

async function pgCounts(client: PgClient): Promise<Counts> {
  const { rows } = await client.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_app_migrations'`,
  );
  const counts: Counts = new Map();
  for (const { t } of rows) {
    const r = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${t.replace(/"/g, '""')}"`);
    counts.set(t, Number(r.rows[0]!.n));
  }
  return counts;
}

export async function migratePostgres(url: string, opts: MigrateOptions = {}): Promise<string[]> {
  const { default: pg } = await import("pg");
  const logger = opts.logger ?? silent;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const all = readMigrations("postgres", opts.migrationsDir);
    // A first look without the lock: is there data and something pending? Then pg_dump first (it
    // takes its own snapshot, so it runs before our transaction rather than inside it).
    const exists = await client.query(`SELECT to_regclass('"_app_migrations"') IS NOT NULL AS e`);
    if ((exists.rows[0] as { e: boolean }).e) {
      const { rows } = await client.query<{ name: string; checksum: string }>(
        `SELECT name, checksum FROM "_app_migrations"`,
      );
      const pending = checkApplied(new Map(rows.map((r) => [r.name, r.checksum])), all);
      if (!pending.length) return [];
      if (rows.length) await backupBeforeUpgrade("postgres", url, pending, opts);
    }

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
      const pending = checkApplied(new Map(rows.map((r) => [r.name, r.checksum])), all);
      for (const m of pending) {
        // PostgreSQL enforces foreign keys itself and alters tables in place; the row count is the
        // check that still means something here.
        const before = await pgCounts(client);
        await client.query(m.sql);
        const lost = lostRows(m, before, await pgCounts(client));
        if (lost) throw lost;
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
    for (const name of done) logger.info({ event: "migration.applied", migration: name }, "migration applied");
    return done;
  } finally {
    await client.end();
  }
}

export function migrate(kind: Kind, url: string, opts: MigrateOptions = {}): Promise<string[]> {
  return kind === "postgres" ? migratePostgres(url, opts) : migrateSqlite(url, opts);
}
