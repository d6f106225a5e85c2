// `npm run consent:check`: checks every stored value against the granted consents that cover it
// (lib/data/consent-check.ts) and keeps the result for the admin report, which shows it with the
// time it ran. The app runs it with each scheduled purge and `npm run purge` runs it first; this
// runs it alone (after fixing a bug, or from cron beside PURGE_INTERVAL_MINUTES=0). Counts only.
import { describeConsentCheck, runConsentCheck } from "../lib/data/consent-check";
import { describePurgeError } from "../lib/data/purge";
import { closeDatabase } from "../lib/data/connection";

try {
  console.log(describeConsentCheck(await runConsentCheck()));
} catch (e) {
  console.error(`consent check failed: ${describePurgeError(e)}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
