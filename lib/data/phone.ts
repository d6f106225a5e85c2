import "server-only";
// Phone numbers from Telegram, only after consent. Three sources reach this module: the phone_number
// claim of an OpenID Connect login that asked for the phone scope, a contact shared with the bot
// after a one-time deep link, and a contact a Mini App received from requestContact. Each way the number goes through writeFields (stored only while
// a purpose that covers it is granted) and a one-time verification purpose keeps only "verified at".
import { createHash, randomBytes } from "node:crypto";
import { purposesUsing } from "../domain/catalogue";
import { db, type Tx } from "./db";
import { env } from "../core/env";
import { normalizePhone } from "../domain/phone";
import { recordAudit } from "./audit";
import { withUserWriteLock, type LockedUser } from "./locks";
import { allowsWriting, grantedStatesOf } from "./storage-rule";
import { dataKeyOf, lookupIndex, lookupIndexes, telegramIdIndexes, writeFieldsLocked } from "./vault";

export const BOT_LINK_TTL_SECONDS = 10 * 60;

export type PhoneUse = { store: boolean; verify: boolean };

/** Which granted purposes (on their current text) want the phone: to keep it, or to note a check. */
async function phoneUseIn(tx: Tx, userId: string): Promise<PhoneUse & { verifyPurposes: string[] }> {
  const purposes = purposesUsing("phone_number");
  const states = await tx.consentState.findMany({
    where: { ...grantedStatesOf(userId), purposeId: { in: purposes.map((p) => p.id) } },
  });
  const live = purposes.filter((p) => states.some((s) => s.purposeId === p.id && allowsWriting(p, s)));
  const verifyPurposes = live.filter((p) => p.oneTime).map((p) => p.id);
  return { store: live.some((p) => !p.oneTime), verify: verifyPurposes.length > 0, verifyPurposes };
}

export async function phoneUse(userId: string): Promise<PhoneUse> {
  const client = await db();
  const { store, verify } = await client.$transaction((tx) => phoneUseIn(tx, userId));
  return { store, verify };
}

export type SavePhoneResult =
  | { ok: true; stored: boolean; verified: boolean }
  | { ok: false; reason: "invalid" | "taken" | "no_consent"; message: string };

/**
 * Stores a phone number Telegram vouched for, under consent. The caller has already checked that it
 * belongs to the signed-in user's own Telegram account.
 */
export async function savePhoneFromTelegram(
  userId: string,
  raw: unknown,
  method: "oidc" | "bot" | "miniapp",
): Promise<SavePhoneResult> {
  const normalized = normalizePhone(raw);
  const client = await db();
  if (!normalized.ok) {
    await recordAudit(client, "phone.refused", userId, { method, reason: "invalid" });
    return { ok: false, reason: "invalid", message: normalized.message };
  }
  // Another account's copy may still carry the previous blind-index key's index mid-rotation.
  const indexes = lookupIndexes("phone_number", normalized.e164);
  const unique = env().phoneNumberUnique;
  try {
    return await client.$transaction(async (tx): Promise<SavePhoneResult> => {
      const saved = await withUserWriteLock(tx, userId, (locked) => savePhoneLocked(locked, normalized.e164, method));
      return saved ?? NO_CONSENT;
    });
  } catch (e) {
    // Another account stored the number in a transaction that committed after our check: the
    // unique index refused ours, and the whole save rolled back.
    if (
      !unique ||
      !(await client.userField.findFirst({
        where: { field: "phone_number", uniqueIndex: { in: indexes }, NOT: { userId } },
        select: { userId: true },
      }))
    )
      throw e;
    await recordAudit(client, "phone.refused", userId, { method, reason: "taken" });
    return TAKEN;
  }
}

/**
 * The save under the user's row lock, taken before the purposes are read: a withdrawal committing
 * between reading them and writing would otherwise still leave a "verified at" (docs/decisions/006).
 */
async function savePhoneLocked(
  locked: LockedUser,
  e164: string,
  method: "oidc" | "bot" | "miniapp",
): Promise<SavePhoneResult> {
  const { tx, userId } = locked;
  const index = lookupIndex("phone_number", e164);
  // Another account's copy may still carry the previous blind-index key's index mid-rotation.
  const indexes = lookupIndexes("phone_number", e164);
  const unique = env().phoneNumberUnique;
  const use = await phoneUseIn(tx, userId);
  if (!use.store && !use.verify) return NO_CONSENT;
  if (use.store && unique) {
    // The friendly early answer; the unique index on unique_index is what holds under a race.
    const other = await tx.userField.findFirst({
      where: { field: "phone_number", blindIndex: { in: indexes }, NOT: { userId } },
      select: { userId: true },
    });
    if (other) {
      await recordAudit(tx, "phone.refused", userId, { method, reason: "taken" });
      return TAKEN;
    }
  }
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
  // The storage gate: with only the one-time purpose granted it drops the number.
  const { written } = await writeFieldsLocked(locked, dataKeyOf(user), { phone_number: e164 });
  const stored = written.includes("phone_number");
  if (stored) {
    await locked.setFieldIndexes("phone_number", { uniqueIndex: unique ? index : null });
    await recordAudit(tx, "phone.stored", userId, { method });
  }
  const now = new Date();
  for (const purposeId of use.verifyPurposes) {
    await locked.recordOutcome(purposeId, now);
  }
  if (use.verify) await recordAudit(tx, "phone.verified", userId, { method });
  return { ok: true, stored, verified: use.verify };
}

const NO_CONSENT: SavePhoneResult = {
  ok: false,
  reason: "no_consent",
  message: "You have not agreed to a purpose that uses your phone number, so nothing was stored.",
};
const TAKEN: SavePhoneResult = {
  ok: false,
  reason: "taken",
  message: "This phone number is already linked to another account here, so it was not stored.",
};

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A one-time deep-link token for the bot. Only its hash is stored; the token itself goes in the link. */
export async function createBotLink(userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString("base64url");
  const expiresAt = new Date(Date.now() + BOT_LINK_TTL_SECONDS * 1000);
  const client = await db();
  await client.$transaction(async (tx) => {
    // One open link per user: a new one replaces the old, so a leaked older link stops working.
    await tx.botLinkToken.deleteMany({ where: { userId } });
    await tx.botLinkToken.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
    await recordAudit(tx, "bot.link_created", userId);
  });
  return { token, expiresAt };
}

export type ClaimResult = { ok: true } | { ok: false; reason: "unknown_or_used" | "other_account" };

/**
 * /start <token> in the bot: claims the token once, and only for the Telegram account that owns the
 * linked app account (compared through the keyed blind index of the Telegram id).
 */
export async function claimBotLink(token: string, fromTelegramId: bigint): Promise<ClaimResult> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return { ok: false, reason: "unknown_or_used" };
  const client = await db();
  return client.$transaction(async (tx): Promise<ClaimResult> => {
    const now = new Date();
    const row = await tx.botLinkToken.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { user: { select: { telegramIdIndex: true } } },
    });
    if (!row || row.startedAt || row.expiresAt <= now) return { ok: false, reason: "unknown_or_used" };
    if (!telegramIdIndexes(fromTelegramId).includes(row.user.telegramIdIndex)) {
      // Someone else opened the link: it is spent, so it cannot be retried against its owner.
      await tx.botLinkToken.delete({ where: { tokenHash: row.tokenHash } });
      await recordAudit(tx, "phone.refused", row.userId, { method: "bot", reason: "other_account" });
      return { ok: false, reason: "other_account" };
    }
    const { count } = await tx.botLinkToken.updateMany({
      where: { tokenHash: row.tokenHash, startedAt: null },
      data: { startedAt: now },
    });
    return count === 1 ? { ok: true } : { ok: false, reason: "unknown_or_used" };
  });
}

export type ContactResult = SavePhoneResult | { ok: false; reason: "not_own" | "no_link"; message: string };

/**
 * A contact shared with the bot. Accepted only when it is the sender's own (contact.user_id equals
 * from.id) and a claimed, unexpired link ties that Telegram account to an app account. The link is
 * spent by the first own contact, stored or not.
 */
export async function acceptBotContact(
  fromTelegramId: bigint,
  contactUserId: bigint | null,
  phone: unknown,
): Promise<ContactResult> {
  if (contactUserId === null || contactUserId !== fromTelegramId) {
    return {
      ok: false,
      reason: "not_own",
      message: "Please share your own contact with the button below, not someone else's.",
    };
  }
  const client = await db();
  const user = await client.user.findFirst({
    where: { telegramIdIndex: { in: telegramIdIndexes(fromTelegramId) } },
    select: { id: true },
  });
  const link = user
    ? await client.botLinkToken.findFirst({
        where: { userId: user.id, startedAt: { not: null }, expiresAt: { gt: new Date() } },
      })
    : null;
  if (!user || !link)
    return {
      ok: false,
      reason: "no_link",
      message: "Open a new link from the settings page of the site first; this one has expired or was already used.",
    };
  const { count } = await client.botLinkToken.deleteMany({
    where: { tokenHash: link.tokenHash, startedAt: { not: null } },
  });
  if (count !== 1)
    return {
      ok: false,
      reason: "no_link",
      message: "Open a new link from the settings page of the site first; this one has expired or was already used.",
    };
  return savePhoneFromTelegram(user.id, phone, "bot");
}
