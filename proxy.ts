// Runs before every page and API request: a fresh CSP nonce per request, no-store for everything
// that can carry personal data, and the session's idle clock moved forward. It is never the only
// guard: pages, actions and routes check the session again through lib/session.ts.
import { NextResponse, type NextRequest } from "next/server";
import { env } from "./lib/env";
import { cookieOptions, refreshedSessionCookie, sessionCookieName } from "./lib/session-cookie";

function contentSecurityPolicy(nonce: string): string {
  const dev = !env().production;
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets our nonce'd scripts load Telegram's widget script; nothing else runs.
    `script-src 'nonce-${nonce}' 'strict-dynamic' https://telegram.org${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: https://t.me https://*.telegram.org",
    "connect-src 'self'",
    "frame-src https://oauth.telegram.org",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(env().production && !env().demo ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export async function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("Cache-Control", "no-store, max-age=0");

  const name = sessionCookieName();
  const refreshed = await refreshedSessionCookie(request.cookies.get(name)?.value);
  // Expired with its own attributes: browsers ignore a deletion of a __Host- cookie without Secure.
  if (refreshed === "expired") response.cookies.set(name, "", { ...cookieOptions(0), maxAge: 0 });
  else if (refreshed) response.cookies.set(name, refreshed.value, cookieOptions(refreshed.maxAge));
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
