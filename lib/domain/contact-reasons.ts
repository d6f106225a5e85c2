// Why an admin looks up a person's phone number (/admin/contact): a closed list, so the audit trail
// holds a code and never free text that could carry personal data. The person's settings page shows
// the person's wording of the same reason, in their language (messages/*/settings.json, contact.reasons).
export const CONTACT_REASONS = {
  security: { admin: "Security problem with their account" },
  request: { admin: "Reply to a request they made" },
  account: { admin: "Problem with their account" },
} as const;

export type ContactReason = keyof typeof CONTACT_REASONS;

export function isContactReason(value: unknown): value is ContactReason {
  return typeof value === "string" && Object.hasOwn(CONTACT_REASONS, value);
}
