// Verification of a Telegram Mini App's init data (Telegram.WebApp.initData) and of the contact a
// Mini App receives from requestContact, which Telegram signs the same way. Pure, like widget.ts:
// the keys, the clock and the windows are parameters, so the known-answer vectors run it without a
// server.
//
// Two proofs, either one enough, each binding the data to our bot:
//   - hash: HMAC-SHA256 over the data-check string, keyed with HMAC-SHA256("WebAppData", bot token);
//     needs the bot token.
//   - signature: Ed25519 by Telegram over "<bot id>:WebAppData\n" + the data-check string without
//     signature; needs only the bot id and Telegram's public key (production or test environment).
// Then our own freshness window with an injected clock, as for the widget. Single use is enforced by
// the caller in the database (lib/data/login-replay.ts).
//
// Written with node:crypto rather than @tma.js/init-data-node 2.0.8: that package compares the
// HMAC with `===` (not constant-time), reads the real clock and accepts future-dated data, and
// brings fp-ts and three helper packages for what is a few lines here (docs/decisions/016).
import { createHash, createHmac, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { PROFILE_FIELDS } from "./profile-fields";
import type { TelegramProfile } from "./widget";

/** Telegram's published Ed25519 keys for init data signatures (core.telegram.org/bots/webapps). */
export const TELEGRAM_WEBAPP_PUBLIC_KEYS = {
  production: "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d",
  test: "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec",
} as const;

const MAX_TELEGRAM_ID = (1n << 53n) - 1n;
/** Telegram's init data is well under a kilobyte; the route's body limit is the outer bound. */
export const MAX_INIT_DATA_LENGTH = 3500;

const TelegramId = z
  .union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]{0,15}$/)])
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_TELEGRAM_ID, "id is out of range");

// The user object inside init data. Telegram adds fields over time (is_premium, allows_write_to_pm,
// ...): those are signed but unused, so they are dropped, not refused. The ones we keep go through
// the same rulebook as the widget's (profile-fields.ts).
const WebAppUser = z.object({
  id: TelegramId,
  first_name: PROFILE_FIELDS.first_name.optional(),
  last_name: PROFILE_FIELDS.last_name.optional(),
  username: PROFILE_FIELDS.username.optional(),
  photo_url: PROFILE_FIELDS.photo_url.optional(),
  language_code: z
    .string()
    .regex(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/)
    .max(35)
    .optional()
    .catch(undefined),
  is_bot: z.boolean().optional().catch(undefined),
});

const Contact = z.object({
  user_id: TelegramId,
  phone_number: z.string().min(3).max(32),
});

const AuthDate = z.string().regex(/^[1-9][0-9]{0,10}$/, "auth_date must be a Unix time in seconds");
const Hash = z.string().regex(/^[0-9a-f]{64}$/, "hash must be 64 lowercase hex characters");
// 64 bytes in base64url without padding (Telegram's form), or with padding / standard alphabet.
const Signature = z.string().regex(/^[A-Za-z0-9_+/-]{86}(==)?$/, "signature must be 64 bytes of base64");

export type WebAppKeys = {
  /** Enables the hash check. */
  botToken: string | null;
  /** Enables the signature check. */
  botId: string | null;
  /** Telegram's Ed25519 public key, 32 bytes as 64 hex characters. */
  publicKeyHex: string;
};

export type WebAppVerifyOptions = WebAppKeys & {
  nowSeconds: number;
  maxAgeSeconds: number;
  futureSkewSeconds: number;
};

export type WebAppVerifyResult =
  | {
      ok: true;
      profile: TelegramProfile;
      languageCode?: string;
      authDate: number;
      replayKey: string;
      via: "hash" | "signature";
    }
  | { ok: false; kind: "malformed"; message: string }
  | { ok: false; kind: "unauthorized" };

export type ContactVerifyResult =
  | { ok: true; telegramId: bigint; phoneNumber: string; authDate: number; replayKey: string }
  | { ok: false; kind: "malformed"; message: string }
  | { ok: false; kind: "unauthorized" };

type Fields = { pairs: [string, string][]; get: (k: string) => string | undefined };

/** Splits the query string; a repeated or empty-named field is refused (it would make the check ambiguous). */
function splitFields(raw: unknown): { ok: true; fields: Fields } | { ok: false; message: string } {
  if (typeof raw !== "string" || raw.length === 0) return { ok: false, message: "initData must be a string" };
  if (raw.length > MAX_INIT_DATA_LENGTH) return { ok: false, message: "initData is too long" };
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  for (const [k, v] of new URLSearchParams(raw)) {
    if (!/^[a-z_]{1,32}$/.test(k)) return { ok: false, message: "initData has an unexpected field name" };
    if (seen.has(k)) return { ok: false, message: `initData repeats ${k}` };
    seen.add(k);
    pairs.push([k, v]);
  }
  const map = new Map(pairs);
  return { ok: true, fields: { pairs, get: (k) => map.get(k) } };
}

/** The data-check string: every field but `omit`, sorted by name, as name=value lines. */
export function webAppDataCheckString(pairs: [string, string][], omit: readonly string[]): string {
  return pairs
    .filter(([k]) => !omit.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join("\n");
}

const secretKeys = new Map<string, Buffer>();

/** Telegram's key for Mini App data: HMAC-SHA256 keyed with "WebAppData" over the bot token. */
function secretKeyOf(botToken: string): Buffer {
  let key = secretKeys.get(botToken);
  if (!key) {
    key = createHmac("sha256", "WebAppData").update(botToken).digest();
    if (secretKeys.size > 8) secretKeys.clear(); // tests use a few tokens; a server one
    secretKeys.set(botToken, key);
  }
  return key;
}

const publicKeys = new Map<string, KeyObject>();

/** A raw 32-byte Ed25519 public key as a KeyObject (SPKI DER: a fixed 12-byte prefix, then the key). */
function publicKeyOf(hex: string): KeyObject {
  let key = publicKeys.get(hex);
  if (!key) {
    key = createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(hex, "hex")]),
      format: "der",
      type: "spki",
    });
    publicKeys.set(hex, key);
  }
  return key;
}

function hashValid(botToken: string, pairs: [string, string][], hash: string): boolean {
  const expected = createHmac("sha256", secretKeyOf(botToken))
    .update(webAppDataCheckString(pairs, ["hash"]))
    .digest();
  // The parser admitted only 64 lowercase hex characters, so both sides are 32 bytes.
  return timingSafeEqual(expected, Buffer.from(hash, "hex"));
}

function signatureValid(botId: string, publicKeyHex: string, pairs: [string, string][], signature: string): boolean {
  const message = `${botId}:WebAppData\n${webAppDataCheckString(pairs, ["hash", "signature"])}`;
  const sig = Buffer.from(signature.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(message), publicKeyOf(publicKeyHex), sig);
}

function malformed(message: string) {
  return { ok: false as const, kind: "malformed" as const, message: `Malformed init data (${message})` };
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  // Name the field, never echo its value: refused data may carry personal data.
  return `${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid"}`;
}

/**
 * The checks both kinds of data share: shapes, then a proof (hash with the token, else signature
 * with the bot id), then freshness. Every failure after parsing is the same "unauthorized".
 */
function checkSigned(
  raw: unknown,
  opts: WebAppVerifyOptions,
):
  | { ok: true; fields: Fields; authDate: number; replayKey: string; via: "hash" | "signature" }
  | ReturnType<typeof malformed>
  | { ok: false; kind: "unauthorized" } {
  const split = splitFields(raw);
  if (!split.ok) return malformed(split.message);
  const { fields } = split;
  const authDate = AuthDate.safeParse(fields.get("auth_date"));
  if (!authDate.success) return malformed(`auth_date: ${authDate.error.issues[0]?.message}`);
  const hash = fields.get("hash");
  const signature = fields.get("signature");
  if (hash !== undefined && !Hash.safeParse(hash).success) return malformed("hash must be 64 lowercase hex characters");
  if (signature !== undefined && !Signature.safeParse(signature).success)
    return malformed("signature must be 64 bytes of base64");
  if (hash === undefined && signature === undefined) return malformed("hash or signature is required");

  let via: "hash" | "signature" | null = null;
  if (opts.botToken && hash !== undefined && hashValid(opts.botToken, fields.pairs, hash)) via = "hash";
  else if (
    opts.botId &&
    signature !== undefined &&
    signatureValid(opts.botId, opts.publicKeyHex, fields.pairs, signature)
  )
    via = "signature";
  if (!via) return { ok: false, kind: "unauthorized" };

  const when = Number(authDate.data);
  const age = opts.nowSeconds - when;
  if (age > opts.maxAgeSeconds || age < -opts.futureSkewSeconds) return { ok: false, kind: "unauthorized" };
  // Derived from the signed content, not from a proof: a copy with its hash swapped for garbage is
  // still admitted by its signature, and must meet the same key. Two genuine launches never share
  // their content (query_id, auth_date).
  const replayKey = createHash("sha256")
    .update(`webapp:${webAppDataCheckString(fields.pairs, ["hash", "signature"])}`)
    .digest("base64url");
  return { ok: true, fields, authDate: when, replayKey, via };
}

export function verifyWebAppInitData(raw: unknown, opts: WebAppVerifyOptions): WebAppVerifyResult {
  const checked = checkSigned(raw, opts);
  if (!checked.ok) return checked;
  const userJson = checked.fields.get("user");
  if (userJson === undefined) return malformed("user is required");
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(userJson);
  } catch {
    return malformed("user must be JSON");
  }
  const user = WebAppUser.safeParse(parsedJson);
  if (!user.success) return malformed(`user.${issueOf(user.error)}`);
  // A bot cannot be a person giving consent.
  if (user.data.is_bot) return { ok: false, kind: "unauthorized" };
  const { id, language_code, is_bot: _b, ...profileFields } = user.data;
  const profile: TelegramProfile = { telegramId: id };
  for (const [k, v] of Object.entries(profileFields)) if (v !== undefined) Object.assign(profile, { [k]: v });
  return {
    ok: true,
    profile,
    ...(language_code ? { languageCode: language_code } : {}),
    authDate: checked.authDate,
    replayKey: checked.replayKey,
    via: checked.via,
  };
}

/** The answer of requestContact (its `response` string): contact=<JSON>&auth_date=...&hash=... */
export function verifyWebAppContact(raw: unknown, opts: WebAppVerifyOptions): ContactVerifyResult {
  const checked = checkSigned(raw, opts);
  if (!checked.ok) return checked;
  const contactJson = checked.fields.get("contact");
  if (contactJson === undefined) return malformed("contact is required");
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(contactJson);
  } catch {
    return malformed("contact must be JSON");
  }
  const contact = Contact.safeParse(parsedJson);
  if (!contact.success) return malformed(`contact.${issueOf(contact.error)}`);
  return {
    ok: true,
    telegramId: contact.data.user_id,
    phoneNumber: contact.data.phone_number,
    authDate: checked.authDate,
    replayKey: checked.replayKey,
  };
}

/**
 * Signs fields the way Telegram does (hash, and signature when an Ed25519 private key is given).
 * Used by tests and their stand-in of Telegram.WebApp, never to accept data.
 */
export function signWebAppData(
  fields: Record<string, string>,
  keys: { botToken?: string; ed25519?: { botId: string; privateKey: KeyObject } },
): string {
  const pairs: [string, string][] = Object.entries(fields);
  if (keys.ed25519) {
    const message = `${keys.ed25519.botId}:WebAppData\n${webAppDataCheckString(pairs, ["hash", "signature"])}`;
    const sig = sign(null, Buffer.from(message), keys.ed25519.privateKey).toString("base64url");
    pairs.push(["signature", sig]);
  }
  if (keys.botToken) {
    const hash = createHmac("sha256", secretKeyOf(keys.botToken))
      .update(webAppDataCheckString(pairs, ["hash"]))
      .digest("hex");
    pairs.push(["hash", hash]);
  }
  return new URLSearchParams(pairs).toString();
}
