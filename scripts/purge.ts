// `npm run purge`: erases what has outlived its purpose (lib/data/purge.ts). Safe to run from cron
// on several machines at once, and beside the app's own schedule. Prints counts only.
import { describePurgeError, purgeExpired } from "../lib/data/purge";
import { disconnect } from "../lib/db";

const started = Date.now();
try {
  const counts = await purgeExpired(new Date());
  const byField = Object.entries(counts.fieldsErasedByField).map(([field, n]) => `${field} ${n}`).join(", ");
  console.log(
    `purge: ${counts.accountsErased} accounts erased, ${counts.fieldsErased} field values erased${byField ? ` (${byField})` : ""}, in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
} catch (e) {
  console.error(`purge failed: ${describePurgeError(e)}`);
  process.exitCode = 1;
} finally {
  await disconnect();
}
