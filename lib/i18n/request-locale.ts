import "server-only";
import { getLocale } from "next-intl/server";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./locales";

/**
 * The language of the page being rendered (chosen in i18n/request.ts: the person's own choice, then
 * Telegram's language, then Accept-Language, then English). Server code that records what a person
 * was shown (the consent ledger) takes the language from here.
 */
export async function currentLocale(): Promise<Locale> {
  const locale = await getLocale();
  return isLocale(locale) ? locale : DEFAULT_LOCALE;
}
