// How long we keep our own records about people (issue 25, item 7), as distinct from the values
// they consented to (each purpose's retentionDays, lib/domain/purposes.ts). One list, read by the purge
// (lib/data/purge.ts), the admin report, the consent and settings pages and the export, so what is
// said is what is done. Every record here is deleted on the purge schedule once older than this;
// erasure deletes a person's records at once, whatever their age.
import { env } from "../core/env";

/**
 * How long a first sign-in may wait on the consent page: the pending cookie's lifetime and its row's
 * (lib/web/session-cookie.ts seals it with this).
 */
export const PENDING_TTL_SECONDS = 10 * 60;

export type OwnRecord = "audit_events" | "contact_lookups" | "sessions" | "used_login_payloads" | "pending_sign_ins";

/** A record kept about people and how long: `seconds` is the exact figure, `unit` how to say it. */
export type RecordRetention = {
  record: OwnRecord;
  seconds: number;
  amount: number;
  unit: "days" | "hours" | "minutes";
};

const DAY = 86_400;

function inUnit(record: OwnRecord, seconds: number): RecordRetention {
  if (seconds % DAY === 0) return { record, seconds, amount: seconds / DAY, unit: "days" };
  if (seconds % 3600 === 0) return { record, seconds, amount: seconds / 3600, unit: "hours" };
  return { record, seconds, amount: Math.ceil(seconds / 60), unit: "minutes" };
}

export function recordRetentions(): RecordRetention[] {
  const e = env();
  return [
    // Sign-ins, logouts, consent changes, exports, refusals: type, time, the account id, no values.
    inUnit("audit_events", e.auditRetentionDays * DAY),
    // Each lookup of a person's number by an admin (shown to the person on their settings page).
    inUnit("contact_lookups", e.contactLookupRetentionDays * DAY),
    // A signed-in session lives at most SESSION_ABSOLUTE_HOURS; its row goes once it has expired.
    inUnit("sessions", e.sessionAbsoluteSeconds),
    // The digest of a used sign-in payload, kept while the payload could still be replayed.
    inUnit("used_login_payloads", e.authMaxAgeSeconds + e.authFutureSkewSeconds + 60),
    // A first sign-in waiting for the consent page.
    inUnit("pending_sign_ins", PENDING_TTL_SECONDS),
  ];
}

export function retentionOf(record: OwnRecord): RecordRetention {
  return recordRetentions().find((r) => r.record === record)!;
}
