import "server-only";
// Security and account events: a closed vocabulary of resource.verb names, with no personal data.
// Written in the same transaction as the change they record where there is one.
import type { Db, Tx } from "./db";
import { writeAlone } from "./group-commit";
import { executeSql, sqlTime, timeParam } from "./sql";

export const AUDIT_EVENTS = [
  "auth.signed_in",
  "auth.refused",
  "auth.logged_out",
  "auth.logged_out_everywhere",
  "consent.granted",
  "consent.withdrawn",
  "consent.declined",
  "user.created",
  "user.erased",
  "data.exported",
  "fields.dropped",
  "admin.report_viewed",
  "admin.refused",
  "purge.completed",
  "phone.stored",
  "phone.verified",
  "phone.refused",
  "bot.link_created",
  "contact.looked_up",
  "contact.refused",
] as const;
export type AuditEventType = (typeof AUDIT_EVENTS)[number];

/**
 * An event that is a change of its own (a logout, a view of the admin report, a refused admin
 * request), in its own statement: on SQLite in a commit shared with the others arriving meanwhile
 * (group-commit.ts), as its fsync would otherwise block the event loop.
 */
export async function recordEvent(
  type: AuditEventType,
  subjectId: string | null,
  detail?: Record<string, string | number | boolean>,
): Promise<void> {
  await writeAlone(auditInsertSql(), auditParams(type, subjectId, new Date(), detail));
}

/**
 * An event about a person, recorded only while their account exists; false when it does not (an
 * erasure committed since the session was read). Erasure deletes a person's events, so an event
 * written after it would outlive the account it names.
 */
export async function recordEventWhileAccount(type: AuditEventType, subjectId: string): Promise<boolean> {
  const sql = `WITH "account" AS (SELECT 1 FROM "users" WHERE "id" = ?) ${auditInsertSql("account")}`;
  const params = [subjectId, ...auditParams(type, subjectId, new Date())];
  // Every view of the export writes one: on SQLite its commit (an fsync that blocks the event loop)
  // is shared with the others arriving meanwhile (group-commit.ts).
  return (await writeAlone(sql, params)) > 0;
}

/** Raw SQL: every sign-in writes one, and Prisma's per-query cost was most of a sign-in (docs/decisions/009). */
export async function recordAudit(
  tx: Tx | Db,
  type: AuditEventType,
  subjectId: string | null,
  detail?: Record<string, string | number | boolean>,
): Promise<void> {
  await executeSql(tx, auditInsertSql(), auditParams(type, subjectId, new Date(), detail));
}

/**
 * The audit row as SQL (`?`: see auditParams), also run on the driver (lib/data/sign-in/direct.ts).
 * With `onlyIf` (a CTE's name), the event is recorded only when that CTE returned a row.
 */
export function auditInsertSql(onlyIf?: string): string {
  const row = `?, ?, ${timeParam()}, ?`;
  return `INSERT INTO "audit_events" ("type", "subject_id", "at", "detail") ${onlyIf ? `SELECT ${row} FROM "${onlyIf}"` : `VALUES (${row})`}`;
}

export function auditParams(
  type: AuditEventType,
  subjectId: string | null,
  at: Date,
  detail?: Record<string, string | number | boolean>,
): unknown[] {
  return [type, subjectId, sqlTime(at), detail ? JSON.stringify(detail) : null];
}
