import type { AbstractIntlMessages } from "next-intl";
import type { Locale } from "./locales";
import { NAMESPACES } from "./namespaces";

/** All messages of one language, keyed by namespace (messages/<locale>/<namespace>.json). */
export async function loadMessages(locale: Locale): Promise<AbstractIntlMessages> {
  const entries = await Promise.all(
    NAMESPACES.map(
      async (ns) =>
        [ns, (await import(`../../messages/${locale}/${ns}.json`)).default as AbstractIntlMessages] as const,
    ),
  );
  return Object.fromEntries(entries);
}
