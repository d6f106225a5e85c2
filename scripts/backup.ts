// `npm run backup [-- <file>]`: a consistent backup of the configured database (SQLite: VACUUM INTO,
// the WAL included; PostgreSQL: pg_dump -Fc), by default into BACKUP_DIR (backups/ in DATA_DIR).
// Safe while the app runs. Keep the keys the backup was written under with it (README, "Back up and
// restore"): FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY of the day; a backup without them is unreadable.
import { backupDatabase, BackupError } from "../lib/data/backup";
import { closeDatabase } from "../lib/data/connection";

const file = process.argv.slice(2).find((a) => !a.startsWith("--"));
try {
  const written = await backupDatabase(file);
  console.log(`backup written: ${written}`);
} catch (e) {
  console.error(`backup failed: ${e instanceof BackupError ? e.message : (e as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
