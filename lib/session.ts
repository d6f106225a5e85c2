import "server-only";
// The one module that owns sessions. Every page, action and route re-checks through it:
// getSession() verifies the cookie, both timeouts, that its session row still exists (logout deletes
// it), and that the user still exists with the same session version (erasure and "log out
// everywhere" delete or bump it).
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { env } from "./env";
import { createSessionRow, deleteSessionRow, findSessionUser } from "./data/sessions";
import { currentRequestId } from "./http";
import { securityEvent } from "./log";
import { telegramIdIndex, type SessionUser } from "./data/users";
import {
  cookieOptions,
  nowSeconds,
  PENDING_TTL_SECONDS,
  pendingCookieName,
  readPendingCookie,
  readSessionCookie,
  seal,
  sessionCookieName,
  sessionTtl,
} from "./session-cookie";
import type { TelegramProfile } from "./telegram/widget";

export type { SessionUser };

export async function getSession(): Promise<SessionUser | null> {
  const store = await cookies();
  const data = await readSessionCookie(store.get(sessionCookieName())?.value);
  if (!data) return null;
  return findSessionUser(data.sid, data.uid, data.sv);
}

/** For pages and server actions: the signed-in user, or a redirect to the start page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSession();
  if (!user) redirect("/?signed-out=1");
  return user;
}

export function isAdmin(user: SessionUser): boolean {
  return env().adminTelegramIds.some((id) => telegramIdIndex(id) === user.telegramIdIndex);
}

/** For admin pages and actions: 403 for everyone else (checked again on every request). */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await getSession();
  if (!user || !isAdmin(user)) {
    securityEvent("admin.refused", await currentRequestId(), { signedIn: user !== null });
    forbidden();
  }
  return user;
}

/** Route handlers and actions only (cookies cannot be set while rendering a page). */
export async function startSession(userId: string, sessionVersion: number): Promise<void> {
  const store = await cookies();
  const now = nowSeconds();
  const sid = await createSessionRow(userId, new Date((now + env().sessionAbsoluteSeconds) * 1000));
  const data = { sid, uid: userId, sv: sessionVersion, iat: now, lat: now };
  store.set(sessionCookieName(), await seal(data, sessionTtl(data)), cookieOptions(sessionTtl(data)));
  store.delete(pendingCookieName());
}

export async function endSession(): Promise<void> {
  const store = await cookies();
  const data = await readSessionCookie(store.get(sessionCookieName())?.value);
  if (data) await deleteSessionRow(data.sid);
  store.delete(sessionCookieName());
  store.delete(pendingCookieName());
}

/** A first sign-in waiting for consent: held in a sealed, short-lived cookie, not in the database. */
export async function setPendingSignIn(profile: TelegramProfile): Promise<void> {
  const store = await cookies();
  const { telegramId, ...rest } = profile;
  const fields = Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const data = { tid: telegramId.toString(), profile: fields, exp: nowSeconds() + PENDING_TTL_SECONDS };
  store.set(pendingCookieName(), await seal(data, PENDING_TTL_SECONDS), cookieOptions(PENDING_TTL_SECONDS));
  store.delete(sessionCookieName());
}

export async function getPendingSignIn(): Promise<TelegramProfile | null> {
  const store = await cookies();
  const data = await readPendingCookie(store.get(pendingCookieName())?.value);
  if (!data || !/^[1-9][0-9]{0,15}$/.test(data.tid)) return null;
  return { telegramId: BigInt(data.tid), ...data.profile };
}

export async function clearPendingSignIn(): Promise<void> {
  (await cookies()).delete(pendingCookieName());
}
