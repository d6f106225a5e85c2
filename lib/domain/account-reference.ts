// The account reference a person quotes to support ("7F3A-9C21-04BE"): the first 12 hex digits of
// the random user id (randomUUID, version 4: those 48 bits are random). It holds no personal data and
// says nothing the person's own export does not; it is not stored, so it dies with the user row.
// 48 bits are enough for what it guards: only an admin can use it, rate-limited and audited, and a
// lookup shows a number only for a person who agreed to it. Two ids sharing the prefix (at a million
// accounts, about a 1-in-560 chance that any two do) are refused as unknown, never guessed between
// (docs/decisions/006-phone-numbers.md).
const HEX_DIGITS = 12;

/** "7F3A-9C21-04BE" for user id "7f3a9c21-04be-4…". */
export function accountReference(userId: string): string {
  const hex = userId.replace(/-/g, "").slice(0, HEX_DIGITS).toUpperCase();
  return hex.match(/.{1,4}/g)!.join("-");
}

/**
 * A reference as typed (any case, with or without dashes or spaces) → the user-id prefix it stands
 * for ("7f3a9c21-04be"), or null when it is not 12 hex digits.
 */
export function userIdPrefixOf(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 40) return null;
  const hex = input.replace(/[\s-]/g, "").toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8)}`;
}
