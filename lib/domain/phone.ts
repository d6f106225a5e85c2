// Phone numbers as Telegram sends them, normalized to E.164. Telegram sends international numbers
// without the leading "+" (OpenID Connect's phone_number claim and the bot's contact alike), so a
// string of digits is read as international. Pure: no logging, no storage.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

export const INVALID_PHONE_MESSAGE =
  "Telegram sent a phone number we cannot read as a valid international number, so nothing was stored. Check the number in Telegram's settings and try again.";

export type PhoneResult = { ok: true; e164: string } | { ok: false; message: string };

export function normalizePhone(raw: unknown): PhoneResult {
  if (typeof raw !== "string") return { ok: false, message: INVALID_PHONE_MESSAGE };
  const compact = raw.trim().replace(/[\s().-]/g, "");
  if (!/^\+?[0-9]{6,17}$/.test(compact)) return { ok: false, message: INVALID_PHONE_MESSAGE };
  const parsed = parsePhoneNumberFromString(compact.startsWith("+") ? compact : `+${compact}`);
  // "max" metadata checks the number against each country's real numbering plan, not just its length.
  if (!parsed || !parsed.isValid()) return { ok: false, message: INVALID_PHONE_MESSAGE };
  // E.164 allows at most 15 digits; the metadata accepts some longer German extensions
  // (e.g. 4921000000000000, found by the property test below), which no E.164 field can hold.
  if (!/^\+[1-9][0-9]{5,14}$/.test(parsed.number)) return { ok: false, message: INVALID_PHONE_MESSAGE };
  return { ok: true, e164: parsed.number };
}
