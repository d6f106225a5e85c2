import "server-only";
// The phone_contact purpose at work: an admin looks up one person's number, by the account reference
// the person quotes (lib/domain/account-reference.ts) and a reason from a closed list; the person sees every
// lookup on their settings page. A number is shown only while the person's consent to phone_contact,
// on the purpose's current text, is granted: an older text promised the number was shown to nobody.
// The audit row names the person by the random id, the reason by its code and the admin by their
// random id: never the number. Erasure deletes the person's rows with their other audit events.
import { purposeById } from "../domain/catalogue";
import { isContactReason, type ContactReason } from "../domain/contact-reasons";
import { decrypt, DecryptError } from "../crypto/fields";
import { db, type Tx } from "./db";
import { recordAudit } from "./audit";
import { timeOf } from "./sql";
import { readRows } from "./direct-read";
import { withUserWriteLock } from "./locks";
import { allowsWriting } from "./storage-rule";
import { dataKeyOf, fieldAad } from "./vault";

export const CONTACT_PURPOSE_ID = "phone_contact";

export type PhoneLookup = { ok: true; e164: string } | { ok: false };

/** Matches no account (ids are UUIDs): the row an unknown reference locks, so it takes the same path. */
const NO_ONE = "-";

/**
 * The number of the one account whose id starts with `userIdPrefix`, if that person granted
 * phone_contact and a readable number is stored; every attempt is audited, shown or refused.
 *
 * Every attempt takes the same path, whatever the answer (issue 25, item 4: an unknown reference
 * skipped the transaction, and its answer came 3 ms sooner): one transaction that locks the
 * person's row (for an unknown reference, a row that does not exist), reads their consent, key and
 * number together, and writes its audit row. lib/data/contact.test.ts compares the statements.
 */
export async function lookUpPhoneForContact(
  adminId: string,
  userIdPrefix: string,
  reason: ContactReason,
): Promise<PhoneLookup> {
  const client = await db();
  // Resolved before the transaction: on SQLite a transaction must write before it reads (lib/data/locks.ts).
  const matches = await client.user.findMany({
    where: { id: { startsWith: userIdPrefix } },
    select: { id: true },
    take: 2,
  });
  // Two accounts sharing a reference are refused like an unknown one, never guessed between.
  const personId = matches.length === 1 ? matches[0]!.id : NO_ONE;
  const e164 = await client.$transaction(async (tx) => {
    // Under the person's row lock: a withdrawal (which erases the number under the same lock) is
    // either wholly before this lookup or wholly after it.
    const locked = await withUserWriteLock(tx, personId, async () => true);
    const number = await readConsentedNumber(tx, personId);
    const shown = locked === true && number !== null;
    // A refusal has no subject: it says nothing about anyone, and an unknown reference names nobody.
    await recordAudit(tx, shown ? "contact.looked_up" : "contact.refused", shown ? personId : null, {
      reason,
      by: adminId,
    });
    return shown ? number : null;
  });
  return e164 === null ? { ok: false } : { ok: true, e164 };
}

/** The same three reads for every person, known or not, consenting or not; the decision after them. */
async function readConsentedNumber(tx: Tx, userId: string): Promise<string | null> {
  const purpose = purposeById(CONTACT_PURPOSE_ID);
  const [state, user, row] = await Promise.all([
    tx.consentState.findUnique({ where: { userId_purposeId: { userId, purposeId: CONTACT_PURPOSE_ID } } }),
    tx.user.findUnique({ where: { id: userId }, select: { id: true, wrappedDataKey: true, wrapKeyId: true } }),
    tx.userField.findUnique({ where: { userId_field: { userId, field: "phone_number" } } }),
  ]);
  // Showing a number to an admin follows the write rule: granted on the text in force, in the
  // language it was given in. Decided after all three reads, so every path costs the same.
  if (!purpose || !allowsWriting(purpose, state) || !user || !row) return null;
  try {
    return decrypt(dataKeyOf(user), row.ciphertext, fieldAad(userId, "phone_number"));
  } catch (e) {
    if (e instanceof DecryptError) return null;
    throw e;
  }
}

export type ContactLookupEntry = { at: Date; reason: ContactReason | "other" };

/** The lookups of a person's number, newest first, for their own settings page. */
export async function listContactLookups(userId: string): Promise<ContactLookupEntry[]> {
  // Raw SQL: on every render of the settings page, where Prisma's per-query cost showed (issue 26).
  const rows = await readRows<{ at: unknown; detail: string | null }>(
    `SELECT "at", "detail" FROM "audit_events" WHERE "subject_id" = ? AND "type" = ? ORDER BY "at" DESC LIMIT 200`,
    [userId, "contact.looked_up"],
  );
  return rows.map((r) => ({ at: timeOf(r.at), reason: reasonOf(r.detail) }));
}

function reasonOf(detail: string | null): ContactReason | "other" {
  try {
    const reason = (JSON.parse(detail ?? "{}") as { reason?: unknown }).reason;
    return isContactReason(reason) ? reason : "other";
  } catch {
    return "other";
  }
}
