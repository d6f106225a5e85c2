import type { AbstractIntlMessages } from "next-intl";
import type { Locale } from "./locales";
import { NAMESPACES } from "./namespaces";

// The files are part of the build and never change under a running server, so each language's
// messages are gathered once, not with nine module lookups on every request (issue 26). Each
// namespace was one shared module object already; only the object around them is new here, and
// nothing mutates either (next-intl reads them, clientMessages copies the parts it sends).
const loaded = new Map<Locale, Promise<AbstractIntlMessages>>();

/** All messages of one language, keyed by namespace (messages/<locale>/<namespace>.json). */
export function loadMessages(locale: Locale): Promise<AbstractIntlMessages> {
  let messages = loaded.get(locale);
  if (!messages) {
    messages = gather(locale);
    loaded.set(locale, messages);
    // A failed load is not kept: the next request tries again.
    messages.catch(() => loaded.delete(locale));
  }
  return messages;
}

async function gather(locale: Locale): Promise<AbstractIntlMessages> {
  const entries = await Promise.all(
    NAMESPACES.map(
      async (ns) =>
        [ns, (await import(`../../messages/${locale}/${ns}.json`)).default as AbstractIntlMessages] as const,
    ),
  );
  return Object.fromEntries(entries);
}
