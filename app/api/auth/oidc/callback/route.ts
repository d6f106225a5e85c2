import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { finishOidc } from "@/lib/use-cases/auth";
import { env } from "@/lib/core/env";
import { localeCookieOptions } from "@/lib/i18n/cookie";
import { LOCALE_COOKIE, offeredLocale } from "@/lib/i18n/negotiate";
import { jsonError, NO_STORE, route } from "@/lib/web/http";
import { clientAddress, consume } from "@/lib/data/rate-limit";

/** A refusal seen by a person: a page that says what happened (a closed set of reasons, nothing else in the URL). */
const PAGE_REASON = { 400: "restart", 401: "not-confirmed", 409: "taken", 503: "unavailable" } as const;

// Telegram redirects the browser here (a cross-site top-level GET): no Origin check, the sealed
// state cookie is what ties the answer to the request we made. Limits as for the widget's sign-in
// (docs/decisions/007): every callback per address only behind a trusted proxy, refusals always.
export const GET = route(async (req, { requestId }) => {
  const client = clientAddress(req.headers);
  if (client.trusted) await consume("oidcAddress", client.address);
  const result = await finishOidc(new URL(req.url).searchParams, requestId);
  if (!result.ok) {
    // An unavailable provider is our outage, not the client's refusal.
    if (result.status !== 503) await consume("oidcRefused", client.address);
    // A browser navigation gets a page; a client that asks for JSON keeps the contract's error.
    if ((req.headers.get("accept") ?? "").includes("text/html")) {
      return NextResponse.redirect(new URL(`/sign-in-failed?reason=${PAGE_REASON[result.status]}`, env().appOrigin), {
        status: 303,
        headers: NO_STORE,
      });
    }
    return jsonError(result.status, result.message);
  }
  const response = NextResponse.redirect(new URL(result.location, env().appOrigin), { status: 303, headers: NO_STORE });
  // Telegram's language speaks the pages after sign-in, unless the person already chose one (the
  // switcher's cookie wins) or it is not offered here.
  const telegramLocale = offeredLocale(result.locale, env().languages);
  const chosen = offeredLocale((await cookies()).get(LOCALE_COOKIE)?.value, env().languages);
  if (telegramLocale && !chosen) response.cookies.set(LOCALE_COOKIE, telegramLocale, localeCookieOptions());
  return response;
});
