// `npm run purge`: checks every stored value against live consents (lib/data/consent-check.ts),
// then erases what has outlived its purpose (lib/data/purge.ts). The check goes first because the
// purge erases values no granted purpose covers, which would hide the bug the check is there to
// show; a failed check does not stop the purge. Safe to run from cron on several machines at
// once, and beside the app's own schedule. Prints counts only.
import { describeConsentCheck, runConsentCheck } from "../lib/data/consent-check";
import { describePurgeError, purgeExpired, purgeOwnRecords } from "../lib/data/purge";
import { closeDatabase } from "../lib/data/connection";

try {
  console.log(describeConsentCheck(await runConsentCheck()));
} catch (e) {
  console.error(`consent check failed: ${describePurgeError(e)}`);
  process.exitCode = 1;
}
const started = Date.now();
try {
  const counts = await purgeExpired(new Date());
  const byField = Object.entries(counts.fieldsErasedByField)
    .map(([field, n]) => `${field} ${n}`)
    .join(", ");
  const records = Object.entries(await purgeOwnRecords())
    .map(([record, n]) => `${record} ${n}`)
    .join(", ");
  console.log(
    `purge: ${counts.accountsErased} accounts erased, ${counts.fieldsErased} field values erased${byField ? ` (${byField})` : ""}, ${records ? `records past retention deleted (${records})` : "no records past retention"}, in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
} catch (e) {
  console.error(`purge failed: ${describePurgeError(e)}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
