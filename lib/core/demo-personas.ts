// The demo's fictional people, as plain data (lib/core/env.ts reads the admin's id, so nothing here may
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

/**
 * The demo's pictures are served by the app (public/demo-avatars: initials, no one's photo), so
 * the demo shows them on a machine without internet. The stored value stays the link Telegram
 * would send; only the picture shown for it comes from here, and only while DEMO_MODE is on.
 */
const DEMO_PHOTOS: ReadonlyMap<string, string> = new Map(
  Object.entries(DEMO_PERSONAS).flatMap(([persona, p]) =>
    "photo_url" in p ? [[p.photo_url, `/demo-avatars/${persona}.svg`] as const] : [],
  ),
);

/** Where to load a photo link's picture from: the app's own copy for a demo persona's link in the demo. */
export function photoSource(url: string, demo: boolean): string {
  return (demo && DEMO_PHOTOS.get(url)) || url;
}

/** Admin only while DEMO_MODE is on (lib/core/env.ts); ADMIN_TELEGRAM_IDS is not read in demo mode. */
export const DEMO_ADMIN_PERSONA: DemoPersona = "margaret";

// Fictional numbers: Australia's ACMA reserves 0491 570 006-010 for drama and documentation, and
// they are valid mobile numbers, so the real normalization accepts them. As Telegram sends them.
export const DEMO_PHONES: Record<DemoPersona, string> = {
  ada: "61491570006",
  grace: "61491570007",
  alan: "61491570008",
  margaret: "61491570009",
};

/** The Telegram profile fields a persona may or may not have, in the order the home page names them. */
export const PERSONA_PROFILE_FIELDS = ["first_name", "last_name", "username", "photo_url"] as const;
export type PersonaProfileField = (typeof PERSONA_PROFILE_FIELDS)[number];

export type DemoPersonaProfile = { name: string; has: PersonaProfileField[]; lacks: PersonaProfileField[] };

/**
 * Which profile fields Telegram would send for a persona and which it would not. Derived from the
 * data, so the home page's description ("Grace Hopper: first name, last name, profile photo. No
 * username.", worded per language there) cannot drift.
 */
export function demoPersonaProfile(persona: DemoPersona): DemoPersonaProfile {
  const p: Record<string, string | undefined> = DEMO_PERSONAS[persona];
  return {
    name: [p.first_name, p.last_name].filter(Boolean).join(" "),
    has: PERSONA_PROFILE_FIELDS.filter((f) => p[f]),
    lacks: PERSONA_PROFILE_FIELDS.filter((f) => !p[f]),
  };
}
