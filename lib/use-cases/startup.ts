import "server-only";
import { catalogue } from "../domain/catalogue";
import { runConsentCheck } from "../data/consent-check";
import { openDatabase } from "../data/connection";
import { replayErasureJournal, type ReplayResult } from "../data/erase";
import { verifyKeyChecks, type KeyCheckOutcome } from "../data/key-checks";
import { describePurgeError, purgeExpired, purgeIsDue, purgeOwnRecords } from "../data/purge";
import { assertDemoListensOnLoopback } from "../demo";
import { env } from "../core/env";
import { log } from "../core/log";

/**
 * Everything that would make the running app go silently wrong, checked before it serves anyone:
 * the configuration (every problem at once, lib/core/env.ts), the purpose catalogue, the database
 * (reachable and answering within DATABASE_TIMEOUT_SECONDS, migrated) and the keys against the stored
 * check values (lib/data/key-checks.ts). Then the erasure journal is replayed, so that a database
 * restored from an older copy does not serve an erased account again (lib/data/erasure-journal.ts).
 * `npm start` runs it before `next start` (scripts/start.ts), so the problems print before Next says
 * Ready; the server's own start runs it again.
 */
export async function checkStart(): Promise<{ keys: KeyCheckOutcome; erasures: ReplayResult }> {
  env();
  catalogue();
  await openDatabase();
  const keys = await verifyKeyChecks();
  return { keys, erasures: await replayErasureJournal() };
}

export async function startServer(): Promise<void> {
  try {
    const e = env();
    assertDemoListensOnLoopback();
    const { keys, erasures } = await checkStart();
    if (keys.recorded.length)
      log().info(
        { event: "key_checks.recorded", kinds: keys.recorded, firstStart: keys.firstStart },
        "key checks recorded",
      );
    if (erasures.erasedAgain)
      log().warn({ event: "erasures.replayed", erasedAgain: erasures.erasedAgain }, "journaled erasures applied again");
    log().info(
      { event: "server.started", database: e.databaseKind, demo: e.demo, purposes: catalogue().length },
      "server started",
    );
  } catch (e) {
    // The message names the variable or entry at fault and never contains a secret.
    console.error(`\nThe app cannot start:\n${(e as Error).message}\n`);
    process.exit(1);
  }
  schedulePurge();
}

const globalForPurge = globalThis as unknown as { __purgeTimer?: NodeJS.Timeout };

/**
 * Runs the retention purge every PURGE_INTERVAL_MINUTES (0: never; cron runs `npm run purge`), and
 * once right after start when one is due. Timers are unref'd so they never keep a stopping
 * process alive; a failed run is logged by error name only and retried at the next tick.
 *
 * The no-live-consent check (lib/data/consent-check.ts) runs on the same schedule, just before the
 * purge: the purge erases values no granted purpose covers, so checking after it would hide the
 * very bug the check is there to show. A failed check does not stop the purge.
 */
function schedulePurge(): void {
  const minutes = env().purgeIntervalMinutes;
  if (minutes === 0 || globalForPurge.__purgeTimer) return;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      if (!(await purgeIsDue())) return;
      try {
        const check = await runConsentCheck();
        const without = Object.values(check.withoutLiveConsent).reduce((a, b) => a + b, 0);
        log().info(
          { event: "consent_check.completed", valuesChecked: check.valuesChecked, withoutLiveConsent: without },
          "consent check completed",
        );
      } catch (e) {
        log().error({ event: "consent_check.failed", error: describePurgeError(e) }, "consent check failed");
      }
      const counts = await purgeExpired();
      log().info(
        { event: "purge.completed", accounts: counts.accountsErased, fields: counts.fieldsErased },
        "purge completed",
      );
      // Our own records about people past their stated retention (lib/domain/retention.ts): counts only.
      log().info({ event: "records.purged", ...(await purgeOwnRecords()) }, "records past retention deleted");
    } catch (e) {
      log().error({ event: "purge.failed", error: describePurgeError(e) }, "purge failed");
    } finally {
      running = false;
    }
  };
  globalForPurge.__purgeTimer = setInterval(tick, minutes * 60_000).unref();
  setTimeout(tick, 0).unref();
}
