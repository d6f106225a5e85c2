// The demo's fictional people, as plain data (lib/env.ts reads the admin's id, so nothing here may
// import server code). Each persona has a different set of Telegram profile fields, so the consent
// and settings pages show what happens when Telegram sends a field and when it does not.
export const DEMO_PERSONAS = {
  ada: {
    id: "100000001",
    first_name: "Ada",
    last_name: "Lovelace",
    username: "ada_demo",
    photo_url: "https://t.me/i/userpic/320/ada_demo.jpg",
  },
  // An id above 2^52: Telegram ids need 64-bit storage, and the demo shows that they get it.
  grace: {
    id: "4503599627370001",
    first_name: "Grace",
    last_name: "Hopper",
    photo_url: "https://t.me/i/userpic/320/grace_demo.jpg",
  },
  alan: { id: "100000003", first_name: "Alan" },
  margaret: { id: "100000004", first_name: "Margaret", last_name: "Hamilton", username: "margaret_demo" },
} as const satisfies Record<
  string,
  { id: string; first_name: string; last_name?: string; username?: string; photo_url?: string }
>;

export type DemoPersona = keyof typeof DEMO_PERSONAS;

/** Admin only while DEMO_MODE is on (lib/env.ts); ADMIN_TELEGRAM_IDS is not read in demo mode. */
export const DEMO_ADMIN_PERSONA: DemoPersona = "margaret";

// Fictional numbers: Australia's ACMA reserves 0491 570 006-010 for drama and documentation, and
// they are valid mobile numbers, so the real normalization accepts them. As Telegram sends them.
export const DEMO_PHONES: Record<DemoPersona, string> = {
  ada: "61491570006",
  grace: "61491570007",
  alan: "61491570008",
  margaret: "61491570009",
};

const PROFILE_FIELDS = [
  ["first_name", "first name"],
  ["last_name", "last name"],
  ["username", "username"],
  ["photo_url", "profile photo"],
] as const;

const list = (words: string[]) =>
  words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : words[0]!;

/** "Grace Hopper: first name, last name, profile photo. No username." Derived from the data, so it cannot drift. */
export function describeDemoPersona(persona: DemoPersona): string {
  const p: Record<string, string | undefined> = DEMO_PERSONAS[persona];
  const has = PROFILE_FIELDS.filter(([f]) => p[f]).map(([, w]) => w);
  const lacks = PROFILE_FIELDS.filter(([f]) => !p[f]).map(([, w]) => w);
  const name = [p.first_name, p.last_name].filter(Boolean).join(" ");
  const missing = lacks.length ? ` No ${list(lacks)}.` : "";
  const admin = persona === DEMO_ADMIN_PERSONA ? " The demo's admin: she can open the admin report." : "";
  return `${name}: ${has.join(", ")}.${missing}${admin}`;
}
