// The `lang` cookie's attributes, shared by the switcher (proxy.ts) and the OpenID Connect sign-in,
// so a language set either way is the same cookie. A year: a preference the person made (or
// Telegram's language, until they make one), kept until they choose another. httpOnly: only the
// server reads it. Secure wherever the site is served over HTTPS.
import { env } from "../core/env";
import { LOCALE_COOKIE_MAX_AGE, offeredLocale } from "./negotiate";

export function localeCookieOptions() {
  return {
    path: "/",
    maxAge: LOCALE_COOKIE_MAX_AGE,
    sameSite: "lax" as const,
    httpOnly: true,
    secure: env().appOrigin.startsWith("https:"),
  };
}

/**
 * Where a page-facing logout or erasure sends the browser. Their answer carries Clear-Site-Data,
 * which also drops the `lang` cookie: the person who chose Spanish would read "your data has been
 * deleted" in English. The chosen language rides along as ?lang=, and proxy.ts sets the cookie
 * again on the way (and drops the parameter). A preference on the person's own device, not data
 * about them: it is not part of what erasure removes.
 */
export function keepingLanguage(path: string, langCookie: string | undefined): URL {
  const url = new URL(path, env().appOrigin);
  const chosen = offeredLocale(langCookie, env().languages);
  if (chosen) url.searchParams.set("lang", chosen);
  return url;
}
