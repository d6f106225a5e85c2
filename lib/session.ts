import "server-only";
// The one module that owns sessions. Every page, action and route re-checks through it:
// getSession() verifies the cookie, both timeouts, that its session row still exists (logout deletes
// it), and that the user still exists with the same session version (erasure and "log out
// everywhere" delete or bump it).
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { env } from "./env";
import { recordEvent } from "./data/audit";
import { closePendingSignIn, isPendingSignInOpen, openPendingSignIn } from "./data/pending-sign-ins";
import { createSessionRow, deleteSessionRow, findSessionUser, type SessionUser } from "./data/sessions";
import { telegramIdIndex, telegramIdIndexes } from "./data/vault";
import { currentRequestId } from "./http";
import { securityEvent } from "./log";
import { withinLimit } from "./rate-limit";
import {
  cookieOptions,
  nowSeconds,
  OIDC_FLOW_TTL_SECONDS,
  oidcCookieName,
  PENDING_TTL_SECONDS,
  readOidcCookie,
  type OidcFlowData,
  pendingCookieName,
  readPendingCookie,
  readSessionCookie,
  seal,
  sessionCookieName,
  sessionTtl,
} from "./session-cookie";
import type { TelegramProfile } from "./telegram/widget";

export type { SessionUser };

type CookieStore = Awaited<ReturnType<typeof cookies>>;

/**
 * Deletes a cookie with the attributes it was set with. A bare delete sends no Secure attribute,
 * and browsers ignore such a Set-Cookie for a __Host- cookie, which then lives on until it expires.
 */
function expire(store: CookieStore, name: string): void {
  store.set(name, "", { ...cookieOptions(0), maxAge: 0 });
}

/**
 * Once per rendered request: the root layout, the signed-in layout, the page and its metadata all
 * ask, and each would otherwise unseal the cookie and read the session row and its user again.
 * React's cache() lives as long as one render, so every page render still checks afresh; route
 * handlers and server actions run outside a render and get no memo at all (each call checks).
 */
export const getSession = cache(async (): Promise<SessionUser | null> => {
  const store = await cookies();
  const data = await readSessionCookie(store.get(sessionCookieName())?.value);
  if (!data) return null;
  return findSessionUser(data.sid, data.uid, data.sv);
});

/** For pages and server actions: the signed-in user, or a redirect to the start page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSession();
  // "You are signed out" only to someone whose session ended; who never signed in is asked to.
  if (!user) redirect((await cookies()).has(sessionCookieName()) ? "/?signed-out=1" : "/?signin=required");
  return user;
}

export function isAdmin(user: SessionUser): boolean {
  return env().adminTelegramIds.some((id) => telegramIdIndexes(id).includes(user.telegramIdIndex));
}

/**
 * For admin pages and actions: 403 for everyone else (checked again on every request). A refused
 * signed-in user is recorded in the audit log; a signed-out request is only logged, so anonymous
 * traffic cannot grow the database.
 */
export async function requireAdmin(channel: "page" | "action" = "page"): Promise<SessionUser> {
  const user = await getSession();
  if (!user || !isAdmin(user)) {
    // Bounded per user, as in lib/admin.ts: refusals past the limit are not recorded.
    if (user && (await withinLimit("adminRefused", user.id))) await recordEvent("admin.refused", user.id, { channel });
    securityEvent("admin.refused", await currentRequestId(), { channel, signedIn: user !== null });
    forbidden();
  }
  return user;
}

/** Route handlers and actions only (cookies cannot be set while rendering a page). */
export function newSessionExpiry(): Date {
  return new Date((nowSeconds() + env().sessionAbsoluteSeconds) * 1000);
}

/** `sessionId` is a row the caller created in its own transaction (the sign-in does). */
export async function startSession(userId: string, sessionVersion: number, sessionId?: string): Promise<void> {
  const store = await cookies();
  const now = nowSeconds();
  const sid = sessionId ?? (await createSessionRow(userId, newSessionExpiry()));
  const data = { sid, uid: userId, sv: sessionVersion, iat: now, lat: now };
  store.set(sessionCookieName(), await seal(data, sessionTtl(data)), cookieOptions(sessionTtl(data)));
  expire(store, pendingCookieName());
}

export async function endSession(): Promise<void> {
  const store = await cookies();
  const data = await readSessionCookie(store.get(sessionCookieName())?.value);
  if (data) await deleteSessionRow(data.sid);
  await clearPendingSignIn();
  expire(store, sessionCookieName());
}

/** A first sign-in waiting for consent, with the id of its server-side record (it can be used once). */
export type PendingSignIn = TelegramProfile & { pendingId: string };

/**
 * A first sign-in waiting for consent: the profile in a sealed, short-lived cookie; in the database
 * only the record that lets it be used once and voided (lib/data/pending-sign-ins.ts).
 */
export async function setPendingSignIn(profile: TelegramProfile): Promise<void> {
  const store = await cookies();
  const { telegramId, ...rest } = profile;
  const exp = nowSeconds() + PENDING_TTL_SECONDS;
  const pid = await openPendingSignIn(telegramIdIndex(telegramId), new Date(exp * 1000));
  const fields = Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >;
  const data = { pid, tid: telegramId.toString(), profile: fields, exp };
  store.set(pendingCookieName(), await seal(data, PENDING_TTL_SECONDS), cookieOptions(PENDING_TTL_SECONDS));
  expire(store, sessionCookieName());
}

/** The pending sign-in of this browser, if its record is still open (not used, voided or expired). */
export async function getPendingSignIn(): Promise<PendingSignIn | null> {
  const store = await cookies();
  const data = await readPendingCookie(store.get(pendingCookieName())?.value);
  if (!data || !/^[1-9][0-9]{0,15}$/.test(data.tid)) return null;
  if (!(await isPendingSignInOpen(data.pid))) return null;
  return { telegramId: BigInt(data.tid), ...data.profile, pendingId: data.pid };
}

export async function clearPendingSignIn(): Promise<void> {
  const store = await cookies();
  const data = await readPendingCookie(store.get(pendingCookieName())?.value);
  if (data) await closePendingSignIn(data.pid);
  expire(store, pendingCookieName());
}

/** Starts an OpenID Connect round trip: its secrets wait in a sealed, short-lived, SameSite=Lax cookie. */
export async function setOidcFlow(flow: Omit<OidcFlowData, "exp">): Promise<void> {
  const store = await cookies();
  const data = { ...flow, exp: nowSeconds() + OIDC_FLOW_TTL_SECONDS };
  store.set(oidcCookieName(), await seal(data, OIDC_FLOW_TTL_SECONDS), cookieOptions(OIDC_FLOW_TTL_SECONDS));
}

/** Reads and deletes the flow cookie: each authorization request can be answered once. */
export async function takeOidcFlow(): Promise<OidcFlowData | null> {
  const store = await cookies();
  const data = await readOidcCookie(store.get(oidcCookieName())?.value);
  expire(store, oidcCookieName());
  return data;
}
