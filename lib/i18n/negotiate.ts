// Which language a request is answered in. Pure (no request objects), so the page config, the OIDC
// callback and the tests share one rule:
//   1. the person's own choice, remembered in the `lang` cookie (the switcher sets it);
//   2. Telegram's language, where a sign-in path gave one (OpenID Connect's `locale` claim, stored
//      in the same cookie at sign-in unless the person already chose);
//   3. the browser's Accept-Language, best match among the offered languages;
//   4. English.
// Anything unknown, malformed or not offered falls through to the next step, never to an error.
import { match } from "@formatjs/intl-localematcher";
import Negotiator from "negotiator";
import { DEFAULT_LOCALE, type Locale } from "./locales";

export const LOCALE_COOKIE = "lang";
/**
 * Set by proxy.ts only, for a ?lang= link from another site: the page is shown in that language
 * without storing it (the request's own header of that name is dropped there).
 */
export const LINKED_LOCALE_HEADER = "x-linked-lang";
/** A year: the choice is a preference the person made, kept until they make another. */
export const LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** `value` if it names an offered language (a bare code such as "ru", or a tag such as "ru-RU"). */
export function offeredLocale(value: string | null | undefined, offered: readonly Locale[]): Locale | null {
  if (!value || value.length > 35) return null;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return (offered as readonly string[]).includes(base ?? "") ? (base as Locale) : null;
}

/** The best offered language for an Accept-Language header, or null when none fits. */
export function fromAcceptLanguage(header: string | null | undefined, offered: readonly Locale[]): Locale | null {
  if (!header || header.length > 1000) return null;
  try {
    const asked = new Negotiator({ headers: { "accept-language": header } })
      .languages()
      .filter((l) => l !== "*" && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(l));
    if (asked.length === 0) return null;
    const best = match(asked, [...offered], "");
    return offeredLocale(best, offered);
  } catch {
    // A tag Intl refuses (RangeError): the header is ignored, as if absent.
    return null;
  }
}

export function negotiateLocale(
  input: { cookie?: string | null; acceptLanguage?: string | null },
  offered: readonly Locale[],
): Locale {
  return offeredLocale(input.cookie, offered) ?? fromAcceptLanguage(input.acceptLanguage, offered) ?? DEFAULT_LOCALE;
}
