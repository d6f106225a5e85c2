import "server-only";
// Account use cases that need the session as well as the data layer; shared by pages, actions and
// the /api/me routes so that both paths run the same code.
import { accountPurpose } from "./catalogue";
import { recordEvent } from "./data/audit";
import { checkDecisions, type Decisions } from "./data/consents";
import { eraseUser } from "./data/erase";
import { exportUserData } from "./data/export";
import { createBotLink, phoneUse } from "./data/phone";
import { env } from "./env";
import { bumpSessionVersion, createAccountFromPending } from "./data/users";
import { securityEvent } from "./log";
import { consume } from "./rate-limit";
import { clearPendingSignIn, endSession, getSession, startSession, type PendingSignIn } from "./session";

/**
 * Creates the account of a pending first sign-in and signs the user in. The required purpose must
 * be granted explicitly: consent is never assumed, not even for the account. A pending sign-in is
 * spent by the account it creates: a copy of its cookie, or one whose owner has since logged out
 * everywhere or erased the account, finishes nothing.
 */
export async function finishPendingSignIn(pending: PendingSignIn, decisions: Decisions, method: "page" | "api"): Promise<{ ok: true } | { ok: false; message: string }> {
  const problems = checkDecisions(decisions);
  if (problems.length) return { ok: false, message: problems.map((p) => p.message).join(" ") };
  const account = accountPurpose();
  if (decisions[account.id] !== true) return { ok: false, message: `Grant "${account.id}" to create an account; without it nothing is stored.` };
  const created = await createAccountFromPending(pending.pendingId, pending, decisions, method);
  if (!created) {
    await clearPendingSignIn();
    return { ok: false, message: "This sign-in has already been used or has ended. Please sign in with Telegram again." };
  }
  await startSession(created.userId, created.sessionVersion);
  return { ok: true };
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

export async function exportMyData(userId: string) {
  const data = await exportUserData(userId);
  await recordEvent("data.exported", userId);
  return data;
}

export type BotLinkResult = { ok: true; link: string; expiresAt: Date } | { ok: false; status: 403 | 503; message: string };

/** A t.me deep link with a one-time token, for a user who granted a purpose that uses the phone. */
export async function createPhoneBotLink(userId: string): Promise<BotLinkResult> {
  const { botUsername, botToken, webhookSecret } = env();
  if (!botUsername || !botToken || !webhookSecret) return { ok: false, status: 503, message: "Sharing through the bot is not configured on this server (TELEGRAM_WEBHOOK_SECRET)." };
  const use = await phoneUse(userId);
  if (!use.store && !use.verify) return { ok: false, status: 403, message: "Turn on a purpose that uses your phone number first; until then the bot never asks for it." };
  // Each link writes a token and an audit row: bounded per user (throws RateLimitedError, a 429).
  await consume("botLink", userId);
  const { token, expiresAt } = await createBotLink(userId);
  return { ok: true, link: `https://t.me/${botUsername}?start=${token}`, expiresAt };
}
