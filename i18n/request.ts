// next-intl's per-request configuration (found by the plugin in next.config.mjs): the language of
// this request (lib/i18n/negotiate.ts), its messages, and UTC for every date, so a purge date reads
// the same on the server, in the browser and in the receipt.
import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { env } from "@/lib/core/env";
import { loadMessages } from "@/lib/i18n/messages";
import { LINKED_LOCALE_HEADER, LOCALE_COOKIE, negotiateLocale, offeredLocale } from "@/lib/i18n/negotiate";

export default getRequestConfig(async ({ locale: explicit }) => {
  const offered = env().languages;
  // An explicit language (the receipt is rendered in the language of the decisions it records).
  // Then a language another site's link asked for, shown but not stored (proxy.ts).
  const locale =
    offeredLocale(explicit, offered) ??
    offeredLocale((await headers()).get(LINKED_LOCALE_HEADER), offered) ??
    negotiateLocale(
      { cookie: (await cookies()).get(LOCALE_COOKIE)?.value, acceptLanguage: (await headers()).get("accept-language") },
      offered,
    );
  return { locale, messages: await loadMessages(locale), timeZone: "UTC" };
});
