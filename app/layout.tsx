import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { FocusHeading } from "@/components/focus-heading";
import { SessionStateProvider } from "@/components/session-state";
import { env } from "@/lib/env";
import { getSession, isAdmin } from "@/lib/session";
import "./globals.css";

export const metadata: Metadata = {
  title: "Consent-first Telegram login",
  description: "Sign in with Telegram and keep only what you agree to.",
  referrer: "same-origin",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getSession();
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        {env().demo && (
          <div className="demo-banner" role="note">
            Demo mode: sign-ins are signed by a local demo bot, not by Telegram. Do not enter real data.
          </div>
        )}
        <header className="site">
          <Link className="brand" href="/">
            Consent-first login
          </Link>
          <nav aria-label="Main">
            {user ? (
              <>
                <Link href="/settings">Your data</Link>
                {isAdmin(user) && <Link href="/admin">Admin report</Link>}
                <form action="/api/auth/logout" method="post">
                  <button type="submit" className="secondary">
                    Log out
                  </button>
                </form>
              </>
            ) : null}
          </nav>
        </header>
        <main id="main">
          <SessionStateProvider signedIn={user !== null}>{children}</SessionStateProvider>
        </main>
        <FocusHeading />
        <footer className="site">
          We store a field only while you consent to a purpose that needs it. Everything is encrypted at rest.
        </footer>
      </body>
    </html>
  );
}
