import "server-only";
// The operator's contact path (/admin/contact and POST /api/admin/contact): input checks, the
// per-admin limit and the number formatted for a person to dial. The lookup itself, its consent
// check and its audit row: lib/data/contact.ts.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { accountReference, userIdPrefixOf } from "../domain/account-reference";
import { CONTACT_REASONS, isContactReason, type ContactReason } from "../domain/contact-reasons";
import {
  CONTACT_PURPOSE_ID,
  listContactLookups,
  lookUpPhoneForContact,
  type ContactLookupEntry,
} from "../data/contact";
import type { SessionUser } from "../data/sessions";
import { consume, RateLimitedError } from "../data/rate-limit";

export { accountReference, CONTACT_PURPOSE_ID, CONTACT_REASONS, type ContactLookupEntry, type ContactReason };

/** One answer for "not agreed", "no number" and "no such reference": it reveals nothing more. */
export const CONTACT_REFUSED =
  "No number to show: this person has not agreed to be contacted by phone, or there is no account with this reference.";

export type ContactLookupResult =
  | { ok: true; reference: string; reason: ContactReason; e164: string; display: string }
  | { ok: false; status: 400 | 404 | 429; message: string; retryAfterSeconds?: number };

/** The caller is an admin (requireAdmin or the route's own check). */
export async function lookUpContact(
  admin: SessionUser,
  input: { reference: unknown; reason: unknown },
): Promise<ContactLookupResult> {
  const prefix = userIdPrefixOf(input.reference);
  if (!prefix)
    return {
      ok: false,
      status: 400,
      message: "Enter the account reference as the person gave it: 12 letters and digits, like 7F3A-9C21-04BE.",
    };
  if (!isContactReason(input.reason)) return { ok: false, status: 400, message: "Choose a reason from the list." };
  try {
    // Every attempt counts, refused ones too: references cannot be swept one guess at a time.
    await consume("contactLookup", admin.id);
  } catch (e) {
    if (!(e instanceof RateLimitedError)) throw e;
    const minutes = Math.ceil(e.retryAfterSeconds / 60);
    return {
      ok: false,
      status: 429,
      retryAfterSeconds: e.retryAfterSeconds,
      message: `Too many lookups. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    };
  }
  const found = await lookUpPhoneForContact(admin.id, prefix, input.reason);
  if (!found.ok) return { ok: false, status: 404, message: CONTACT_REFUSED };
  const display = parsePhoneNumberFromString(found.e164)?.formatInternational() ?? found.e164;
  return {
    ok: true,
    reference: accountReference(prefix),
    reason: input.reason,
    e164: found.e164,
    display,
  };
}

/** For the person's own settings page. */
export function contactLookupsOf(userId: string): Promise<ContactLookupEntry[]> {
  return listContactLookups(userId);
}
