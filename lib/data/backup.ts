import "server-only";
// `npm run backup` and `npm run restore` (docs/decisions/015-backups-and-erasure.md). The backup is
// the migrator's writer (writeBackup, lib/data/migrate.ts): SQLite's VACUUM INTO, one consistent
// snapshot that includes what is still in the write-ahead log; PostgreSQL: pg_dump's custom format,
// restored by pg_restore into an emptied schema. A restore then migrates the copy, checks the configured keys against it and replays the
// erasure journal, so that nobody erased after the backup comes back.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  renameSync,
  rmSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { db, disconnect } from "./db";
import { env } from "../core/env";
import { BackupToolMissing, sqliteFilePath, writeBackup } from "./migrate";
import { replayErasureJournal, type ReplayResult } from "./erase";
import { verifyKeyChecks } from "./key-checks";

export class BackupError extends Error {
  override name = "BackupError";
}

function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** The default file of a backup taken now: in BACKUP_DIR, named by database kind and UTC time. */
export function defaultBackupFile(at: Date = new Date()): string {
  const e = env();
  return join(
    e.backupDir,
    `${e.databaseKind === "postgres" ? "postgres" : "sqlite"}-${stamp(at)}.${e.databaseKind === "postgres" ? "dump" : "db"}`,
  );
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
    throw new BackupError(
      `${cmd} is not on the PATH: install the PostgreSQL client tools (the server's major version or newer)`,
    );
  // pg_dump's messages name objects, never row contents; the URL (with any password) is not echoed.
  if (r.status !== 0)
    throw new BackupError(`${cmd} failed (exit ${r.status}): ${(r.stderr || "").trim().slice(0, 2000)}`);
}

/** Writes a consistent backup of the configured database to `file` (mode 0600); returns its path. */
export async function backupDatabase(file: string = defaultBackupFile()): Promise<string> {
  const target = resolve(file);
  if (existsSync(target)) throw new BackupError(`${target} exists already; choose another file`);
  const e = env();
  try {
    // The same writer as the migrator's pre-upgrade backup (lib/data/migrate.ts).
    await writeBackup(e.databaseKind === "postgres" ? "postgres" : "sqlite", e.databaseUrl, target);
  } catch (err) {
    if (err instanceof BackupToolMissing)
      throw new BackupError(
        "pg_dump is not on the PATH: install the PostgreSQL client tools (the server's major version or newer)",
      );
    throw new BackupError(`the backup failed: ${err instanceof Error ? err.message.slice(0, 2000) : String(err)}`);
  }
  return target;
}

export type RestoreResult = { file: string; erasures: ReplayResult };

function assertSqliteFile(file: string): void {
  const header = Buffer.alloc(16);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== "SQLite format 3\u0000")
    throw new BackupError(
      `${file} is not an SQLite database (a PostgreSQL backup is restored with DATABASE_URL set to PostgreSQL)`,
    );
}

/**
 * Replaces the configured database with the backup in `file`, then migrates it, checks the keys
 * against it and replays the erasure journal. Stop the app first: SQLite's file is replaced under
 * it, and PostgreSQL's schema is dropped and recreated.
 */
export async function restoreDatabase(file: string): Promise<RestoreResult> {
  const source = resolve(file);
  if (!existsSync(source)) throw new BackupError(`${source} does not exist`);
  const e = env();
  await disconnect();
  if (e.databaseKind === "postgres") {
    const client = await db();
    // Everything of the app lives in the public schema: emptied, so the backup's tables (and its
    // migration list) come back exactly, without the tables of later migrations beside them.
    await client.$executeRawUnsafe("DROP SCHEMA IF EXISTS public CASCADE");
    await client.$executeRawUnsafe("CREATE SCHEMA public");
    await disconnect();
    run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", `--dbname=${e.databaseUrl}`, source]);
  } else {
    assertSqliteFile(source);
    const live = sqliteFilePath(e.databaseUrl);
    mkdirSync(dirname(live), { recursive: true });
    // Copied beside the live file, then renamed over it: the live file is either the old database or
    // the whole backup, never half of one. The old WAL and shared memory must not be applied to it.
    const tmp = `${live}.restoring`;
    copyFileSync(source, tmp);
    chmodSync(tmp, 0o600);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${live}${suffix}`, { force: true });
    renameSync(tmp, live);
  }
  // Opening migrates a backup made by an older release.
  await db();
  await verifyKeyChecks();
  const erasures = await replayErasureJournal();
  return { file: source, erasures };
}
