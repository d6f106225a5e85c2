"use client";
// The language switcher in every page's header. Each language is a plain link to the same page with
// ?lang=<code>; proxy.ts remembers the choice in the `lang` cookie and redirects to the page without
// the parameter, so it works without JavaScript and the address a person shares never pins a
// language. A full page load, not a client navigation: the document's lang and dir change with it.
import { usePathname, useSearchParams } from "next/navigation";
import { LOCALE_NAMES, type Locale } from "@/lib/i18n/locales";
import { NOTICE_PARAMS } from "@/lib/web/notice-params";

export function LanguageSwitcher({
  current,
  languages,
  label,
}: {
  current: Locale;
  languages: readonly Locale[];
  label: string;
}) {
  const pathname = usePathname();
  const search = useSearchParams();
  if (languages.length < 2) return null;
  const hrefFor = (locale: Locale) => {
    const params = new URLSearchParams(search.toString());
    // A one-time notice ("Your account is ready") belongs to the page it was shown on, not the next one.
    for (const p of NOTICE_PARAMS) params.delete(p);
    params.set("lang", locale);
    return `${pathname}?${params.toString()}`;
  };
  return (
    <nav aria-label={label} className="languages">
      <ul>
        {languages.map((locale) => (
          <li key={locale}>
            <a
              href={hrefFor(locale)}
              lang={locale}
              hrefLang={locale}
              aria-current={locale === current ? "true" : undefined}
            >
              {LOCALE_NAMES[locale]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
