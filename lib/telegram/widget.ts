// Verification of the Telegram Login Widget payload. Pure: the bot token, the clock and the windows
// are parameters, so the known-answer vectors and property tests run it without a server.
//
// Strict parsing first (closed set of fields, exact shapes), then Telegram's HMAC check, then our
// freshness window with an injected clock. Single use is enforced by the caller in the database
// (lib/data/login-replay.ts).
//
// The HMAC is checked with node:crypto and the secret key (SHA-256 of the bot token) derived once
// per token. @telegram-auth/server did the same check through Web Crypto but derived and imported
// the key on every call: 20-60x slower in `npm run bench` (docs/decisions/002). Its other
// behaviours (one-day window, real clock, future dates accepted) we had disabled anyway.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { PROFILE_FIELDS } from "./profile-fields";

const MAX_TELEGRAM_ID = (1n << 53n) - 1n;

export const WidgetPayload = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, "id must be a positive integer")
    .refine((s) => !/^[0-9]+$/.test(s) || BigInt(s) <= MAX_TELEGRAM_ID, "id is out of range"),
  first_name: PROFILE_FIELDS.first_name.optional(),
  last_name: PROFILE_FIELDS.last_name.optional(),
  username: PROFILE_FIELDS.username.optional(),
  photo_url: PROFILE_FIELDS.photo_url.optional(),
  auth_date: z.string().regex(/^[1-9][0-9]{0,10}$/, "auth_date must be a Unix time in seconds"),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "hash must be 64 lowercase hex characters"),
});
export type WidgetPayload = z.infer<typeof WidgetPayload>;

/** The widget sends numbers as numbers in JSON; accept them, but only as exact safe integers. */
function normalize(input: unknown): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    out[k] = typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? String(v) : v;
  }
  return out;
}

export type TelegramProfile = {
  telegramId: bigint;
  first_name?: string;
  last_name?: string;
  username?: string;
  photo_url?: string;
};

export type VerifyResult =
  | { ok: true; profile: TelegramProfile; authDate: number; replayKey: string }
  | { ok: false; kind: "malformed"; message: string }
  | { ok: false; kind: "unauthorized" };

export type VerifyOptions = {
  botToken: string;
  nowSeconds: number;
  maxAgeSeconds: number;
  futureSkewSeconds: number;
};

export function parseWidgetPayload(
  input: unknown,
): { ok: true; payload: WidgetPayload } | { ok: false; message: string } {
  const parsed = WidgetPayload.safeParse(normalize(input));
  if (parsed.success) return { ok: true, payload: parsed.data };
  const issue = parsed.error.issues[0];
  // Name the field, never echo its value: a rejected payload may carry personal data.
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  const message =
    issue?.code === "unrecognized_keys"
      ? `unknown field ${issue.keys.map((k) => JSON.stringify(k.slice(0, 32))).join(", ")}`
      : `${where}${issue?.message ?? "invalid"}`;
  return { ok: false, message: `Malformed login payload (${message})` };
}

/** The key under which an accepted payload is remembered for single use. */
export function replayKeyOf(payload: WidgetPayload): string {
  return createHash("sha256").update(`widget:${payload.hash}`).digest("base64url");
}

export async function verifyWidgetPayload(input: unknown, opts: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseWidgetPayload(input);
  if (!parsed.ok) return { ok: false, kind: "malformed", message: parsed.message };
  const payload = parsed.payload;

  if (!hasValidSignature(opts.botToken, payload)) return { ok: false, kind: "unauthorized" };

  const authDate = Number(payload.auth_date);
  const age = opts.nowSeconds - authDate;
  if (age > opts.maxAgeSeconds || age < -opts.futureSkewSeconds) return { ok: false, kind: "unauthorized" };

  const { id, auth_date: _a, hash: _h, ...profileFields } = payload;
  return { ok: true, profile: { telegramId: BigInt(id), ...profileFields }, authDate, replayKey: replayKeyOf(payload) };
}

const secretKeys = new Map<string, Buffer>();

/** Telegram's key for Login Widget data: SHA-256 of the bot token, derived once per token. */
function secretKeyOf(botToken: string): Buffer {
  let key = secretKeys.get(botToken);
  if (!key) {
    key = createHash("sha256").update(botToken).digest();
    if (secretKeys.size > 8) secretKeys.clear(); // tests use a few tokens; a server one
    secretKeys.set(botToken, key);
  }
  return key;
}

/** The data-check string: every field but hash, sorted by name, as name=value lines. */
function dataCheckString(fields: Record<string, string | undefined>): string {
  return Object.keys(fields)
    .filter((k) => k !== "hash" && fields[k] !== undefined)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n");
}

function hasValidSignature(botToken: string, payload: WidgetPayload): boolean {
  const expected = createHmac("sha256", secretKeyOf(botToken)).update(dataCheckString(payload)).digest();
  // The parser admitted only 64 lowercase hex characters, so both sides are 32 bytes.
  return timingSafeEqual(expected, Buffer.from(payload.hash, "hex"));
}

/** Signs a payload the way Telegram does. Used by the demo sign-in and by tests, never to accept one. */
export function signWidgetPayload(botToken: string, fields: Record<string, string>): Record<string, string> {
  return { ...fields, hash: createHmac("sha256", secretKeyOf(botToken)).update(dataCheckString(fields)).digest("hex") };
}
