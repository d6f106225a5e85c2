// The closed set of personal fields the app can ever hold, with where each comes from. Purposes
// (lib/domain/purposes.ts) may only name fields from here, so an operator's catalogue cannot invent a
// field the storage layer does not know how to protect.
export const FIELDS = {
  telegram_id: { label: "Telegram user id", source: "Telegram login", lookup: true },
  first_name: { label: "First name", source: "Telegram login", lookup: false },
  last_name: { label: "Last name", source: "Telegram login", lookup: false },
  username: { label: "Telegram username", source: "Telegram login", lookup: false },
  photo_url: { label: "Profile photo link", source: "Telegram login", lookup: false },
  phone_number: {
    label: "Phone number",
    source: "Telegram (OpenID Connect or the bot's contact button)",
    lookup: true,
  },
} as const satisfies Record<string, { label: string; source: string; lookup: boolean }>;

/** Where the demo's phone numbers come from: it has no Telegram (it refuses a real bot token). */
export const DEMO_PHONE_SOURCE = "Demo: a simulated share (no Telegram)";

export type FieldId = keyof typeof FIELDS;
export const FIELD_IDS = Object.keys(FIELDS) as FieldId[];

export function isFieldId(value: string): value is FieldId {
  return Object.hasOwn(FIELDS, value);
}
