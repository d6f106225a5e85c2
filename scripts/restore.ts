// `npm run restore -- <file>`: replaces the configured database with a backup made by `npm run backup`,
// migrates it, checks the configured keys against it and erases again every account in the erasure
// journal (ERASURE_JOURNAL) that the backup still holds. Stop the app first. Prints counts only.
import { restoreDatabase } from "../lib/data/backup";
import { closeDatabase } from "../lib/data/connection";

const file = process.argv.slice(2).find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: npm run restore -- <backup file>   (stop the app first)");
  process.exit(2);
}
try {
  const r = await restoreDatabase(file);
  console.log(`restored ${r.file}`);
  console.log(
    `erasure journal: ${r.erasures.journaled} erased accounts on record, ${r.erasures.erasedAgain} of them were in the backup and are erased again`,
  );
} catch (e) {
  console.error(`restore failed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
