import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { FieldId } from "@/lib/domain/fields";

// A name may be in any script: its own first letter decides its direction. The other values (ids,
// @usernames, links, phone numbers) always read left to right, even when they start with a digit or
// "+", which carry no direction of their own; isolated either way, so a right-to-left page around them
// does not reorder them.
const LEFT_TO_RIGHT: ReadonlySet<FieldId> = new Set(["telegram_id", "username", "photo_url", "phone_number"]);

/** A stored E.164 number grouped as the admin's contact lookup shows it (+61 491 570 006), so both read alike. */
const shown = (field: FieldId, value: string) =>
  field === "phone_number" ? (parsePhoneNumberFromString(value)?.formatInternational() ?? value) : value;

export function FieldValue({ field, value }: { field: FieldId; value: string }) {
  return <bdi dir={LEFT_TO_RIGHT.has(field) ? "ltr" : undefined}>{shown(field, value)}</bdi>;
}
