import Link from "next/link";
import { LoginButton } from "@/components/login-button";
import { SessionEnded } from "@/components/session-state";
import { catalogue } from "@/lib/catalogue";
import { demoPersonaList } from "@/lib/demo";
import { env } from "@/lib/env";
import { currentLocale } from "@/lib/i18n/request-locale";
import { purposeText } from "@/lib/purposes";
import { getSession } from "@/lib/session";

export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [user, params, locale] = await Promise.all([getSession(), searchParams, currentLocale()]);
  const e = env();
  return (
    <>
      {!user && <SessionEnded />}
      <h1>Sign in with Telegram, keep control of your data</h1>
      {params.erased === "1" && (
        <p className="notice ok" role="status">
          Your data has been deleted and you are signed out everywhere.
        </p>
      )}
      {params["signed-out"] === "1" && !user && (
        <p className="notice" role="status">
          You are signed out.
        </p>
      )}
      {params.signin === "required" && !user && (
        <p className="notice" role="status">
          Sign in to see your data.
        </p>
      )}
      {params.cancelled === "1" && !user && (
        <p className="notice" role="status">
          Sign-in cancelled. Nothing was stored, and no account was created.
        </p>
      )}
      <p>
        This site asks for each piece of your Telegram data separately, tells you why, and keeps only what you approve.
        You can narrow, download or delete it at any time.
      </p>
      {user ? (
        <p>
          You are signed in. <Link href="/settings">See and manage your data</Link>.
        </p>
      ) : (
        <section className="card" aria-labelledby="signin">
          <h2 id="signin">Sign in</h2>
          <LoginButton botId={e.botId} botUsername={e.botUsername} demoPersonas={e.demo ? demoPersonaList() : null} />
          {e.oidc && (
            <p>
              {/* A plain link: the server redirects to Telegram, so the CSP needs nothing new. */}
              <a className="button telegram" href="/api/auth/oidc/start">
                Log in with Telegram (OpenID Connect)
              </a>
            </p>
          )}
          {params.signin === "cancelled" && (
            <p className="notice" role="status">
              Sign-in was cancelled in Telegram.
            </p>
          )}
        </section>
      )}
      <section aria-labelledby="what">
        <h2 id="what">What we may ask for</h2>
        <ul>
          {catalogue().map((p) => (
            <li key={p.id}>
              <strong>{purposeText(p, locale).title}</strong>
              {p.required ? " (required)" : " (optional, off unless you turn it on)"}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
