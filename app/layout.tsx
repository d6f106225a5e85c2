import type { Metadata } from "next";
import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages, getTranslations } from "next-intl/server";
import { Suspense, type ReactNode } from "react";
import { FocusHeading } from "@/components/focus-heading";
import { LanguageSwitcher } from "@/components/language-switcher";
import { MiniAppBridge } from "@/components/mini-app";
import { SessionStateProvider } from "@/components/session-state";
import { env } from "@/lib/env";
import { isLocale, DEFAULT_LOCALE, textDirection } from "@/lib/i18n/locales";
import { clientMessages } from "@/lib/i18n/namespaces";
import { getSession, isAdmin } from "@/lib/session";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common");
  return { title: t("metaTitle"), description: t("metaDescription"), referrer: "same-origin" };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getSession();
  const requested = await getLocale();
  const locale = isLocale(requested) ? requested : DEFAULT_LOCALE;
  const t = await getTranslations("common");
  return (
    <html lang={locale} dir={textDirection(locale)}>
      <body>
        <NextIntlClientProvider messages={clientMessages(await getMessages())}>
          <a className="skip" href="#main">
            {t("skipToContent")}
          </a>
          {env().demo && (
            <div className="demo-banner" role="note">
              {t("demoBanner")}
            </div>
          )}
          <header className="site">
            <Link className="brand" href="/">
              {t("brand")}
            </Link>
            <nav aria-label={t("mainNav")}>
              {user ? (
                <>
                  <Link href="/settings">{t("yourData")}</Link>
                  {isAdmin(user) && <Link href="/admin">{t("adminReport")}</Link>}
                  <form action="/api/auth/logout" method="post">
                    <button type="submit" className="secondary">
                      {t("logOut")}
                    </button>
                  </form>
                </>
              ) : null}
            </nav>
            <Suspense>
              <LanguageSwitcher current={locale} languages={env().languages} label={t("languageNav")} />
            </Suspense>
          </header>
          <main id="main">
            <SessionStateProvider signedIn={user !== null}>{children}</SessionStateProvider>
          </main>
          <FocusHeading />
          <MiniAppBridge />
          <footer className="site">{t("footer")}</footer>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
