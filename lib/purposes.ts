// The purpose catalogue. Each purpose says why it wants which fields, for how long, and whether the
// account cannot exist without it. Its version is derived from that text, so any change of wording
// is detected and only the users who decided on the old text are asked again.
//
// The shipped catalogue is a typed constant. Operators replace it with PURPOSES_FILE (JSON, same
// shape), validated at start: a bad entry stops the app with a message naming the entry.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { FIELD_IDS, type FieldId } from "./fields";

type PurposeText = {
  title: string;
  justification: string;
  /** What happens if the user says no. */
  ifRefused: string;
  fields: readonly FieldId[];
  required: boolean;
  /** Days a value is kept after it was last refreshed by a sign-in (or, for `account`, after the last sign-in). */
  retentionDays: number;
  /** One-time purposes keep only the outcome (when it happened), never the data. */
  oneTime?: boolean;
};

export const SHIPPED_PURPOSES = {
  account: {
    title: "Your account",
    justification:
      "To recognise you when you sign in again we keep your Telegram user id, encrypted, and find it through a keyed fingerprint. Nothing else is needed for an account.",
    ifRefused: "This one is required: without it there is no account. You can delete the account at any time.",
    fields: ["telegram_id"],
    required: true,
    retentionDays: 730,
  },
  display_name: {
    title: "Greet you by name",
    justification: "We show your first and last name from Telegram on your pages so you know it is your account.",
    ifRefused: "We greet you without a name. Nothing else changes.",
    fields: ["first_name", "last_name"],
    required: false,
    retentionDays: 365,
  },
  username: {
    title: "Show your Telegram username",
    justification:
      "We show your @username beside your name on your pages, so you can see at a glance which Telegram account you signed in with.",
    ifRefused: "Your username is not stored or shown.",
    fields: ["username"],
    required: false,
    retentionDays: 365,
  },
  profile_photo: {
    title: "Show your profile photo",
    justification: "We keep the link to your Telegram profile photo to show it beside your name.",
    ifRefused: "A neutral placeholder is shown instead.",
    fields: ["photo_url"],
    required: false,
    retentionDays: 90,
  },
  phone_contact: {
    title: "Contact you by phone",
    justification:
      "We keep your phone number, shared by you through Telegram, so the people who run this site can call or text you about your account: a security problem, or a request you made. Only an admin can look it up, one person at a time, giving a reason, and every lookup is listed on your settings page. It is stored encrypted.",
    ifRefused: "We never ask Telegram for your phone number, do not store one, and cannot call or text you.",
    fields: ["phone_number"],
    required: false,
    retentionDays: 365,
  },
  phone_verification: {
    title: "Confirm you have a phone number",
    justification:
      "Telegram shows us your phone number once, when you share it, so we can note that it was verified. We keep only the date of that check, never the number.",
    ifRefused: "We never note a phone check. Nothing else changes.",
    fields: ["phone_number"],
    required: false,
    retentionDays: 365,
    oneTime: true,
  },
} as const satisfies Record<string, PurposeText>;

export type Purpose = PurposeText & {
  id: string;
  /** Short version derived from the text; changes whenever the wording, fields or retention change. */
  version: string;
  /** Full SHA-256 of the canonical text, recorded in the ledger. */
  textHash: string;
};

const PurposeFileEntry = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "id must be lowercase letters, digits and _"),
  title: z.string().min(3).max(120),
  justification: z.string().min(10).max(2000),
  ifRefused: z.string().min(3).max(1000),
  fields: z.array(z.enum(FIELD_IDS as [FieldId, ...FieldId[]])).min(1),
  required: z.boolean(),
  retentionDays: z.number().int().min(1).max(3650),
  oneTime: z.boolean().optional(),
});
const PurposeFile = z.array(PurposeFileEntry).min(1);

function canonicalText(id: string, p: PurposeText): string {
  return JSON.stringify([
    id,
    p.title,
    p.justification,
    p.ifRefused,
    [...p.fields],
    p.required,
    p.retentionDays,
    p.oneTime ?? false,
  ]);
}

export function withVersion(id: string, p: PurposeText): Purpose {
  const textHash = createHash("sha256").update(canonicalText(id, p)).digest("hex");
  return { ...p, fields: [...p.fields], id, textHash, version: textHash.slice(0, 12) };
}

export class CatalogueError extends Error {
  override name = "CatalogueError";
}

/** Checks the rules every catalogue must satisfy, whoever wrote it. */
export function validateCatalogue(purposes: readonly Purpose[]): readonly Purpose[] {
  const ids = new Set<string>();
  for (const p of purposes) {
    if (ids.has(p.id)) throw new CatalogueError(`purpose "${p.id}" appears twice`);
    ids.add(p.id);
  }
  const account = purposes.filter((p) => p.required);
  if (account.length !== 1 || !account[0]!.fields.includes("telegram_id") || account[0]!.fields.length !== 1) {
    throw new CatalogueError(
      "exactly one purpose must be required, and it must cover only telegram_id (the account needs nothing else)",
    );
  }
  if (purposes.some((p) => !p.required && p.fields.includes("telegram_id"))) {
    throw new CatalogueError("telegram_id belongs to the required account purpose only");
  }
  return purposes;
}

export function loadCatalogueFile(path: string): readonly Purpose[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CatalogueError(`PURPOSES_FILE ${path}: cannot read JSON (${(e as Error).message})`);
  }
  const parsed = PurposeFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CatalogueError(`PURPOSES_FILE ${path}: entry ${issue.path.join(".")}: ${issue.message}`);
  }
  try {
    return validateCatalogue(parsed.data.map(({ id, ...text }) => withVersion(id, text)));
  } catch (e) {
    throw new CatalogueError(`PURPOSES_FILE ${path}: ${(e as Error).message}`);
  }
}

export const SHIPPED_CATALOGUE: readonly Purpose[] = validateCatalogue(
  Object.entries(SHIPPED_PURPOSES).map(([id, text]) => withVersion(id, text as PurposeText)),
);
