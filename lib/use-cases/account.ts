import "server-only";
// Account use cases that need the session as well as the data layer; shared by pages, actions and
// the /api/me routes so that both paths run the same code.
import { accountPurpose } from "../domain/catalogue";
import { recordEvent, recordEventWhileAccount } from "../data/audit";
import { checkDecisions, setConsents, type AppliedDecisions, type Decisions } from "../data/consents";
import { eraseUser } from "../data/erase";
import { demoPhoneSharingAvailable } from "../demo";
import { exportForReading, exportUserData, type ExportingUser } from "../data/export";
import { createBotLink, phoneUse } from "../data/phone";
import { env } from "../core/env";
import { bumpSessionVersion, createAccountFromPending, userNeedsConsent } from "../data/users";
import type { FieldId } from "../domain/fields";
import { isLocale, type Locale } from "../i18n/locales";
import { securityEvent } from "../core/log";
import { consume } from "../data/rate-limit";
import {
  clearPendingSignIn,
  endSession,
  getPendingSignIn,
  getSession,
  startSession,
  type PendingSignIn,
} from "../web/session";
import type { TelegramProfile } from "../telegram/widget";

/**
 * Creates the account of a pending first sign-in and signs the user in. The required purpose must
 * be granted explicitly: consent is never assumed, not even for the account. A pending sign-in is
 * spent by the account it creates: a copy of its cookie, or one whose owner has since logged out
 * everywhere or erased the account, finishes nothing.
 */
export async function finishPendingSignIn(
  pending: PendingSignIn,
  decisions: Decisions,
  method: "page" | "api",
  locale: Locale,
): Promise<{ ok: true } | { ok: false; reason: "invalid" | "spent"; message: string }> {
  const problems = checkDecisions(decisions, locale);
  if (problems.length) return { ok: false, reason: "invalid", message: problems.map((p) => p.message).join(" ") };
  const account = accountPurpose();
  if (decisions[account.id] !== true)
    return {
      ok: false,
      reason: "invalid",
      message: `Grant "${account.id}" to create an account; without it nothing is stored.`,
    };
  const created = await createAccountFromPending(pending.pendingId, pending, decisions, method, locale);
  if (!created) {
    await clearPendingSignIn();
    return {
      ok: false,
      reason: "spent",
      message: "This sign-in has already been used or has ended. Please sign in with Telegram again.",
    };
  }
  await startSession(created.userId, created.sessionVersion);
  return { ok: true };
}

export type SaveDecisionsResult =
  | { ok: true; created: true }
  | ({ ok: true; created: false; userId: string; needsConsent: boolean } & AppliedDecisions)
  | { ok: false; reason: "no-sign-in" | "invalid" | "spent"; message: string };

/**
 * "Save these decisions": the one use case behind the consent page's form and PUT /api/me/consents.
 * A signed-in user's decisions are applied; a first sign-in waiting for consent becomes an account.
 * `locale` is the language the person read the purposes in (the form's, or the request's), checked
 * here against the offered languages: the record says which text was decided on.
 * The consent rate limit throws RateLimitedError, which each caller answers in its own way (a form
 * message, a 429).
 */
export async function saveDecisions(
  decisions: Decisions,
  method: "page" | "api",
  requestId: string,
  locale: string,
): Promise<SaveDecisionsResult> {
  if (!isLocale(locale) || !env().languages.includes(locale))
    return {
      ok: false,
      reason: "invalid",
      message: `"${locale.slice(0, 20)}" is not a language this site offers (${env().languages.join(", ")}).`,
    };
  const user = await getSession();
  if (user) {
    await consume("consent", user.id);
    const result = await setConsents(user.id, decisions, method, locale);
    if (!result.ok) return { ok: false, reason: "invalid", message: result.message };
    securityEvent("consent.changed", requestId, { changes: result.changed.length, method });
    return {
      ok: true,
      created: false,
      userId: user.id,
      needsConsent: await userNeedsConsent(user.id),
      changed: result.changed,
      erased: result.erased,
    };
  }
  const pending = await getPendingSignIn();
  if (!pending) {
    // The pending sign-in is gone either way; which of the two happened is not recorded anywhere.
    return {
      ok: false,
      reason: "no-sign-in",
      message:
        "No sign-in is waiting for your decision: it was cancelled (perhaps in another tab) or it expired after 10 minutes. Nothing was stored. Please sign in with Telegram again.",
    };
  }
  await consume("consent", `pending:${pending.telegramId}`);
  const created = await finishPendingSignIn(pending, decisions, method, locale);
  if (!created.ok) return { ok: false, reason: created.reason, message: created.message };
  securityEvent("consent.changed", requestId, { created: true, method });
  return { ok: true, created: true };
}

/** What a first sign-in brought, per field, to show on the consent page before anything is stored. */
export function valuesSentBy(profile: TelegramProfile): Partial<Record<FieldId, string>> {
  const values: Partial<Record<FieldId, string>> = { telegram_id: profile.telegramId.toString() };
  for (const field of ["first_name", "last_name", "username", "photo_url"] as const) {
    const value = profile[field]?.trim();
    if (value) values[field] = value;
  }
  return values;
}

/**
 * The ways this site can receive a phone number from Telegram, in the order the page offers them.
 * A list, so that another way (the demo's simulated share) is one more entry.
 */
export type PhoneShareWay =
  { kind: "oidc"; href: string } | { kind: "bot" } | { kind: "miniapp" } | { kind: "demo"; href: string };

export function phoneShareWays(): PhoneShareWay[] {
  const { oidc, botUsername, botToken, webhookSecret } = env();
  const ways: PhoneShareWay[] = [];
  if (oidc) ways.push({ kind: "oidc", href: "/api/auth/oidc/start?intent=phone" });
  if (botUsername && botToken && webhookSecret) ways.push({ kind: "bot" });
  // Telegram signs a Mini App's contact with the bot token only (lib/telegram/webapp.ts).
  if (botToken) ways.push({ kind: "miniapp" });
  // The demo has no Telegram to share with: its simulated step runs the real save (lib/demo/index.ts).
  if (demoPhoneSharingAvailable()) ways.push({ kind: "demo", href: "/demo/phone" });
  return ways;
}

export async function logOut({ everywhere, requestId }: { everywhere: boolean; requestId: string }): Promise<void> {
  const user = await getSession();
  if (user && everywhere) await bumpSessionVersion(user.id);
  else if (user) await recordEvent("auth.logged_out", user.id);
  await endSession();
  securityEvent("auth.logged_out", requestId, { everywhere });
}

export async function deleteMyAccount(userId: string, requestId: string): Promise<void> {
  await eraseUser(userId);
  await endSession();
  securityEvent("user.erased", requestId);
}

export async function exportMyData(user: ExportingUser, locale: Locale) {
  return recordedExport(user, await exportUserData(user, locale));
}

/** The printable export: the same, without the list of events it does not show. */
export async function readMyExport(user: ExportingUser, locale: Locale) {
  return recordedExport(user, await exportForReading(user, locale));
}

async function recordedExport<T>(user: ExportingUser, data: T): Promise<T> {
  // No export leaves without its audit record, and none of an account erased since the session was
  // read (the export itself takes the session's row and does not read the account again).
  if (!(await recordEventWhileAccount("data.exported", user.id))) throw new Error("The account no longer exists.");
  return data;
}

export type BotLinkResult =
  { ok: true; link: string; expiresAt: Date } | { ok: false; status: 403 | 503; message: string };

/** A t.me deep link with a one-time token, for a user who granted a purpose that uses the phone. */
export async function createPhoneBotLink(userId: string): Promise<BotLinkResult> {
  const { botUsername, botToken, webhookSecret } = env();
  if (!botUsername || !botToken || !webhookSecret)
    return {
      ok: false,
      status: 503,
      message: "Sharing through the bot is not configured on this server (TELEGRAM_WEBHOOK_SECRET).",
    };
  const use = await phoneUse(userId);
  if (!use.store && !use.verify)
    return {
      ok: false,
      status: 403,
      message: "Turn on a purpose that uses your phone number first; until then the bot never asks for it.",
    };
  // Each link writes a token and an audit row: bounded per user (throws RateLimitedError, a 429).
  await consume("botLink", userId);
  const { token, expiresAt } = await createBotLink(userId);
  return { ok: true, link: `https://t.me/${botUsername}?start=${token}`, expiresAt };
}
