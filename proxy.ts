// Runs before every page and API request: a fresh CSP nonce per request, a request id for the logs,
// no-store for everything that can carry personal data, and the session's idle clock moved forward.
// It is never the only guard: pages, actions and routes check the session again through
// lib/web/session.ts.
import { NextResponse, type NextRequest } from "next/server";
// Next's own parser of the router-state header: a header it cannot parse makes it answer 500, so
// such requests are refused here as bad input, by exactly the rule Next applies.
import { parseAndValidateFlightRouterState } from "next/dist/server/app-render/parse-and-validate-flight-router-state";
import { env } from "./lib/core/env";
import { localeCookieOptions } from "./lib/i18n/cookie";
import type { Locale } from "./lib/i18n/locales";
import { LINKED_LOCALE_HEADER, LOCALE_COOKIE, offeredLocale } from "./lib/i18n/negotiate";
import { cookieOptions, refreshedSessionCookie, sessionCookieName } from "./lib/web/session-cookie";

function contentSecurityPolicy(nonce: string): string {
  const dev = !env().production;
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets our nonce'd scripts load Telegram's widget script; nothing else runs.
    // https://telegram.org is the fallback for browsers without 'strict-dynamic' (they ignore it otherwise).
    `script-src 'nonce-${nonce}' 'strict-dynamic' https://telegram.org${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: https://t.me https://*.telegram.org",
    // Telegram.Login.auth opens a popup on oauth.telegram.org and, when the popup closes, asks
    // oauth.telegram.org/auth/get for the result: that request is the only foreign connection.
    "connect-src 'self' https://oauth.telegram.org",
    // The popup flow needs no frame (we do not embed the iframe widget).
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(env().production && !env().demo ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

function validRouterState(value: string | null): boolean {
  if (value === null) return true;
  try {
    parseAndValidateFlightRouterState(value);
    return true;
  } catch {
    return false;
  }
}

export async function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const given = request.headers.get("x-request-id");
  const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();

  if (!validRouterState(request.headers.get("next-router-state-tree"))) {
    const refused = NextResponse.json({ error: "The Next-Router-State-Tree header is malformed." }, { status: 400 });
    refused.headers.set("Content-Security-Policy", csp);
    refused.headers.set("Cache-Control", "no-store, max-age=0");
    refused.headers.set("X-Request-Id", requestId);
    return refused;
  }

  if (!sameOriginForm(request)) {
    const refused = NextResponse.json({ error: "This request must come from the app's own pages." }, { status: 403 });
    refused.headers.set("Content-Security-Policy", csp);
    refused.headers.set("Cache-Control", "no-store, max-age=0");
    refused.headers.set("X-Request-Id", requestId);
    return refused;
  }

  // A page that a cross-site link opened in its language keeps that language for its own server
  // actions (posted to the same address): what the consent record says is what was shown.
  const crossSiteLanguage = crossSite(request) || request.method !== "GET" ? linkedLocale(request) : null;
  const switched = crossSiteLanguage ? null : languageSwitch(request);
  if (switched) {
    switched.headers.set("Cache-Control", "no-store, max-age=0");
    switched.headers.set("X-Request-Id", requestId);
    return switched;
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("x-request-id", requestId);
  requestHeaders.set("Content-Security-Policy", csp);
  // Only the proxy says which language a link asked for; a request's own header of that name is dropped.
  requestHeaders.delete(LINKED_LOCALE_HEADER);
  if (crossSiteLanguage) requestHeaders.set(LINKED_LOCALE_HEADER, crossSiteLanguage);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("Cache-Control", "no-store, max-age=0");
  response.headers.set("X-Request-Id", requestId);

  const name = sessionCookieName();
  const refreshed = await refreshedSessionCookie(request.cookies.get(name)?.value);
  // Expired with its own attributes: browsers ignore a deletion of a __Host- cookie without Secure.
  if (refreshed === "expired") response.cookies.set(name, "", { ...cookieOptions(0), maxAge: 0 });
  else if (refreshed) response.cookies.set(name, refreshed.value, cookieOptions(refreshed.maxAge));
  return response;
}

/**
 * A page answers an unsafe method only as a server action (with or without JavaScript, the latter
 * without a Next-Action header). Next compares such a request's Origin with its Host header, which
 * whoever sends the request also chooses; the route handlers compare it with APP_ORIGIN
 * (lib/web/http.ts isSameOrigin), and so does this, by the same rule: the Origin header when the browser
 * sends one, else Sec-Fetch-Site. The API routes check for themselves.
 */
function sameOriginForm(request: NextRequest): boolean {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method) || request.nextUrl.pathname.startsWith("/api/")) return true;
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== "null") return origin === env().appOrigin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}

/**
 * Whether the browser says the request came from another site's page (Sec-Fetch-Site). Such a link
 * may show a page in the language it names, but it is not the person's choice: storing it would let
 * any site set the language kept for a year, which then overrides Telegram's locale and is what the
 * consent record says was shown. A browser that sends no Sec-Fetch-Site is taken at its word (the
 * switcher must keep working there); the cookie is SameSite=lax and only ever names an offered language.
 */
function crossSite(request: NextRequest): boolean {
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
}

function linkedLocale(request: NextRequest): Locale | null {
  const { nextUrl } = request;
  if (!nextUrl.searchParams.has("lang") || nextUrl.pathname.startsWith("/api/")) return null;
  return offeredLocale(nextUrl.searchParams.get("lang"), env().languages);
}

/**
 * The language switcher's links (components/language-switcher.tsx) add ?lang=<code> to a page's
 * address. The choice is kept in the `lang` cookie and the browser sent on to the same address
 * without the parameter. A code that is not offered is dropped without a word: the page comes in the
 * language the person would otherwise get (lib/i18n/negotiate.ts), never an error.
 */
function languageSwitch(request: NextRequest): NextResponse | null {
  const { nextUrl } = request;
  if (!nextUrl.searchParams.has("lang") || request.method !== "GET" || nextUrl.pathname.startsWith("/api/")) {
    return null;
  }
  const chosen = offeredLocale(nextUrl.searchParams.get("lang"), env().languages);
  const target = new URL(nextUrl.pathname, env().appOrigin);
  for (const [key, value] of nextUrl.searchParams) if (key !== "lang") target.searchParams.append(key, value);
  const response = NextResponse.redirect(target, 303);
  if (chosen) response.cookies.set(LOCALE_COOKIE, chosen, localeCookieOptions());
  return response;
}

/**
 * Bodies larger than any route accepts. For a request the proxy sees, Next clones the body and then
 * waits for its end before anything answers, whatever the proxy returns: a 20 MB body was read in
 * full before its 413, and a body that declared 99,999 bytes and sent fewer held the 4 KB sign-in
 * route open until Node's own request timeout. Such requests therefore bypass the proxy (the
 * matcher's `missing` below), and the route refuses them unread from their Content-Length, or reads
 * them only up to its own limit and for at most lib/web/http.ts BODY_READ_TIMEOUT_MS (readJsonObject).
 * The API routes accept at most 16,384 bytes and answer in JSON: theirs bypass from 1,000 bytes (4
 * digits). Pages take only server actions, whose Origin this proxy checks (sameOriginForm): theirs
 * bypass from 100,000 bytes (6 digits), above what Next reads of an action (64 KB). next.config.mjs
 * gives bypassed requests a no-script CSP and no-store in place of the proxy's. Keep the three in step.
 */
export const config = {
  matcher: [
    {
      // Everything but build assets and the API: a missing /favicon.ico is a rendered 404 page and needs the CSP too.
      source: "/((?!_next/static|_next/image|api/).*)",
      missing: [
        { type: "header", key: "content-length", value: "[0-9]{6,}" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
    {
      source: "/api/:path*",
      missing: [
        { type: "header", key: "content-length", value: "[0-9]{4,}" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
  ],
};
