// `npm run db:migrate`: applies pending migrations of the configured database (the app also does
// this on start). Safe to run from several machines at once. Before applying anything to a database
// that holds data it takes a backup and says where it is; any table that would lose rows, or a
// broken foreign key, rolls the whole upgrade back (lib/data/migrate.ts).
import { env } from "../lib/core/env";
import { log } from "../lib/core/log";
import { migrate, type MigrationLogger } from "../lib/data/migrate";

const { databaseKind, databaseUrl, backupDir } = env();
// The operator reads this run's output: the backup's place (or the command to take one) is printed
// plainly as well as logged.
const logger: MigrationLogger = {
  info: (obj, msg) => {
    log().info(obj, msg);
    if (obj.event === "migration.backup") console.log(`backup before upgrading: ${String(obj.path)}`);
  },
  warn: (obj, msg) => {
    log().warn(obj, msg);
    if (obj.event === "migration.backup_skipped") console.log(`${msg}:\n  ${String(obj.command)}`);
  },
};
try {
  const applied = await migrate(databaseKind, databaseUrl, {
    backupDir,
    logger,
  });
  console.log(
    applied.length
      ? `applied ${applied.length} migration(s): ${applied.join(", ")}`
      : `${databaseKind} database is up to date`,
  );
} catch (e) {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exitCode = 1;
}
