import "server-only";
// Storage limitation: erases what has outlived every purpose that covered it. Run by
// `npm run purge` (cron) and by the app's own schedule (lib/use-cases/startup.ts); see
// docs/decisions/008-retention-and-purge.md for the rules and for why concurrent runs are safe.
//
// Retention anchors, the same as the settings page shows (getConsentOverview):
// - the account (the required purpose) lives retentionDays after the last sign-in; when that has
//   passed the whole account is erased, through the same erasure as "Delete my data";
// - any other field value lives retentionDays after it was last refreshed (user_fields.updated_at)
//   for each granted purpose that covers it, so the longest-lived granted purpose wins;
// - a one-time purpose keeps only the outcome: it never extends a value's life, so a value no
//   lasting purpose covers is erased by the next purge, whatever its retentionDays say.
//
// Every batch re-checks its condition inside its own transaction (a conditional DELETE or UPDATE),
// so a value is deleted, and its counter decremented, by exactly one of several concurrent runs.
import { accountPurpose, catalogue } from "../domain/catalogue";
import { checkpointAfterErasure, db, type Tx } from "./db";
import { env } from "../core/env";
import { FIELD_IDS, type FieldId } from "../domain/fields";
import { retentionOf, type OwnRecord } from "../domain/retention";
import { recordAudit } from "./audit";
import { eraseUserIn } from "./erase";
import { lockLedger } from "./locks";
import { keepsNothingUnder } from "./storage-rule";
import { bumpCounter, counterName } from "./stats";

export const PURGE_JOB = "purge";
const DAY_MS = 86_400_000;
// Field rows per transaction: short transactions keep SQLite's write lock (and PostgreSQL's row
// locks) brief for the requests the app serves meanwhile.
const FIELD_BATCH = 500;
// An account erasure is a dozen statements (ledger, counters, cascade), so fewer per transaction.
const ACCOUNT_BATCH = 100;
// A batch that lost a deadlock or a busy wait is retried: it re-checks everything, so retrying is safe.
const ATTEMPTS = 3;
// Interactive transactions default to 5 s, too short when another run holds the ledger head.
const TX_OPTIONS = { maxWait: 30_000, timeout: 120_000 };

export type PurgeCounts = {
  accountsErased: number;
  fieldsErased: number;
  fieldsErasedByField: Partial<Record<FieldId, number>>;
};

/** The type of audit row that is the person's list of lookups of their number (lib/data/contact.ts). */
const CONTACT_LOOKUP_EVENT = "contact.looked_up";

/**
 * Our own records about people, deleted once older than their stated retention (lib/domain/retention.ts):
 * audit events (the contact lookups among them by their own period), and the sign-in's short-lived
 * rows once expired (they were pruned only by sign-ins, so an idle site kept them). Each DELETE is
 * its own condition, so concurrent runs delete each row once. Run right after purgeExpired, by the
 * schedule (lib/use-cases/startup.ts) and by `npm run purge`; counts only, logged.
 */
export async function purgeOwnRecords(now: Date = new Date()): Promise<Partial<Record<OwnRecord, number>>> {
  const client = await db();
  const before = (record: OwnRecord) => new Date(now.getTime() - retentionOf(record).seconds * 1000);
  const deleted: Partial<Record<OwnRecord, number>> = {};
  const note = (record: OwnRecord, count: number) => {
    if (count > 0) deleted[record] = count;
  };
  note(
    "audit_events",
    (
      await client.auditEvent.deleteMany({
        where: { type: { not: CONTACT_LOOKUP_EVENT }, at: { lt: before("audit_events") } },
      })
    ).count,
  );
  note(
    "contact_lookups",
    (
      await client.auditEvent.deleteMany({
        where: { type: CONTACT_LOOKUP_EVENT, at: { lt: before("contact_lookups") } },
      })
    ).count,
  );
  // These carry their own expiry (at most their retention after they were made): gone once it passed.
  note("sessions", (await client.session.deleteMany({ where: { expiresAt: { lt: now } } })).count);
  note("used_login_payloads", (await client.usedLoginPayload.deleteMany({ where: { expiresAt: { lt: now } } })).count);
  note("pending_sign_ins", (await client.pendingSignIn.deleteMany({ where: { expiresAt: { lt: now } } })).count);
  return deleted;
}

type FieldRowWhere = NonNullable<Parameters<Tx["userField"]["deleteMany"]>[0]>["where"];

function cutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/**
 * The stored values of `field` that no granted, lasting purpose keeps alive at `now`: for every
 * such purpose covering the field, either its retention has passed since the value was refreshed
 * or the user has not granted it. A consent granted on older purpose text still counts (the keep
 * rule, lib/data/storage-rule.ts): the user is asked again, and the value waits for the answer.
 */
function expiredValuesOf(field: FieldId, now: Date): FieldRowWhere {
  const keepers = catalogue().filter((p) => !p.required && !p.oneTime && p.fields.includes(field));
  return {
    field,
    AND: keepers.map((p) => ({
      OR: [{ updatedAt: { lte: cutoff(now, p.retentionDays) } }, { user: keepsNothingUnder(p.id) }],
    })),
  };
}

function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  // P2034: PostgreSQL write conflict or deadlock; SQLITE_BUSY when another process held the lock past busy_timeout.
  return (
    code === "P2034" ||
    (typeof code === "string" && code.startsWith("SQLITE_BUSY")) ||
    /deadlock detected|database is locked/i.test((e as Error).message ?? "")
  );
}

async function inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db();
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.$transaction(work, TX_OPTIONS);
    } catch (e) {
      if (attempt >= ATTEMPTS || !isRetryable(e)) throw e;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
  }
}

async function purgeAccounts(now: Date): Promise<number> {
  const client = await db();
  const expiredBefore = cutoff(now, accountPurpose().retentionDays);
  let erased = 0;
  let after = "";
  for (;;) {
    const batch = await client.user.findMany({
      where: { id: { gt: after }, lastSignInAt: { lte: expiredBefore } },
      orderBy: { id: "asc" },
      take: ACCOUNT_BATCH,
      select: { id: true },
    });
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    erased += await inTransaction(async (tx) => {
      // Lock order: the ledger head first, then user rows. Every erasure takes both; taking the
      // head first makes concurrent runs queue here instead of deadlocking on each other's users.
      await lockLedger(tx);
      let n = 0;
      for (const { id } of batch) {
        // The claim re-checks retention on the row itself: a user who signed in meanwhile, or an
        // account another run already erased, matches nothing and is left alone.
        const { count } = await tx.user.updateMany({
          where: { id, lastSignInAt: { lte: expiredBefore } },
          data: { sessionVersion: { increment: 1 } },
        });
        if (count === 1 && (await eraseUserIn(tx, id, "purge"))) n += 1;
      }
      return n;
    });
  }
  return erased;
}

async function purgeField(field: FieldId, now: Date): Promise<number> {
  const client = await db();
  const expired = expiredValuesOf(field, now);
  let erased = 0;
  let after = "";
  for (;;) {
    // Keyset pagination: rows that were refreshed meanwhile are skipped, not fetched forever.
    const batch = await client.userField.findMany({
      where: { ...expired, userId: { gt: after } },
      orderBy: { userId: "asc" },
      take: FIELD_BATCH,
      select: { userId: true },
    });
    if (batch.length === 0) break;
    after = batch.at(-1)!.userId;
    const userIds = batch.map((r) => r.userId);
    erased += await inTransaction(async (tx) => {
      // The DELETE repeats the whole condition, so it counts only the rows this transaction removed.
      const { count } = await tx.userField.deleteMany({ where: { ...expired, userId: { in: userIds } } });
      await bumpCounter(tx, counterName.fieldStored(field), -count);
      return count;
    });
  }
  return erased;
}

/**
 * Erases everything past retention at `now` (injectable so tests need not wait a year). Records a
 * JobRun with the counts and returns them; never anything personal.
 */
export async function purgeExpired(now: Date = new Date()): Promise<PurgeCounts> {
  const client = await db();
  const run = await client.jobRun.create({ data: { job: PURGE_JOB, startedAt: new Date() } });
  const counts: PurgeCounts = { accountsErased: 0, fieldsErased: 0, fieldsErasedByField: {} };
  try {
    // Accounts first: their fields go with them, so the field pass has less to do.
    counts.accountsErased = await purgeAccounts(now);
    const accountFields = new Set<FieldId>(accountPurpose().fields);
    // The account's own fields (telegram_id) live exactly as long as the account: never alone.
    for (const field of FIELD_IDS.filter((f) => !accountFields.has(f))) {
      const n = await purgeField(field, now);
      if (n > 0) counts.fieldsErasedByField[field] = n;
      counts.fieldsErased += n;
    }
  } catch (e) {
    await client.jobRun.update({
      where: { id: run.id },
      data: { finishedAt: new Date(), result: JSON.stringify({ ...counts, failed: true }) },
    });
    throw e;
  }
  if (counts.accountsErased + counts.fieldsErased > 0) await checkpointAfterErasure();
  await client.$transaction(async (tx) => {
    await tx.jobRun.update({ where: { id: run.id }, data: { finishedAt: new Date(), result: JSON.stringify(counts) } });
    await recordAudit(tx, "purge.completed", null, { accounts: counts.accountsErased, fields: counts.fieldsErased });
  });
  return counts;
}

export type PurgeRun = {
  startedAt: Date;
  finishedAt: Date | null;
  result: (PurgeCounts & { failed?: boolean }) | null;
};

/** The most recent purge run, by whichever process ran it, for reports. */
export async function lastPurgeRun(): Promise<PurgeRun | null> {
  const client = await db();
  const run = await client.jobRun.findFirst({ where: { job: PURGE_JOB }, orderBy: { startedAt: "desc" } });
  if (!run) return null;
  return {
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    result: run.result ? (JSON.parse(run.result) as PurgeRun["result"]) : null,
  };
}

function intervalMs(): number {
  return env().purgeIntervalMinutes * 60_000;
}

/**
 * When the app's schedule will purge next, at the latest: an interval after the last run started
 * (by any instance, or by cron), or `now` when none has run. Null when the app does not schedule
 * purges (an interval of 0, e.g. when cron runs `npm run purge`). A time in the past means overdue.
 * The one formula for this: the admin report shows it too.
 */
export function nextPurgeTime(lastStartedAt: Date | null, intervalMinutes: number, now: Date): Date | null {
  if (intervalMinutes === 0) return null;
  return lastStartedAt ? new Date(lastStartedAt.getTime() + intervalMinutes * 60_000) : now;
}

export async function nextPurgeAt(now: Date = new Date()): Promise<Date | null> {
  return nextPurgeTime((await lastPurgeRun())?.startedAt ?? null, env().purgeIntervalMinutes, now);
}

/**
 * One tick of the app's schedule. Each instance ticks every interval; a run that started less
 * than half an interval ago (elsewhere, or by cron) makes this tick a no-op, so several instances
 * do not all repeat the same work. Correctness never depends on this: concurrent runs are safe.
 */
export async function purgeIfDue(now: Date = new Date()): Promise<PurgeCounts | null> {
  return (await purgeIsDue(now)) ? purgeExpired(now) : null;
}

/** Whether this tick of the schedule should purge (see purgeIfDue); the schedule also runs the consent check then. */
export async function purgeIsDue(now: Date = new Date()): Promise<boolean> {
  const last = await lastPurgeRun();
  return !(last && now.getTime() - last.startedAt.getTime() < intervalMs() / 2);
}

/** What may be logged or printed about a failure: a configuration message, or an error's name and code. */
export function describePurgeError(e: unknown): string {
  const err = e as { name?: string; code?: unknown; message?: string };
  if (err.name === "ConfigError" || err.name === "CatalogueError" || err.name === "MigrationError")
    return err.message ?? err.name;
  return [err.name ?? "Error", typeof err.code === "string" ? err.code : null].filter(Boolean).join(" ");
}
