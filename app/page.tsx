import Link from "next/link";
import type { ReactNode } from "react";
import { getTranslations } from "next-intl/server";
import { LoginButton } from "@/components/login-button";
import { SessionEnded } from "@/components/session-state";
import { catalogue } from "@/lib/domain/catalogue";
import { demoPersonaList, type DemoPersonaCard } from "@/lib/demo";
import type { PersonaProfileField } from "@/lib/core/demo-personas";
import { env } from "@/lib/core/env";
import { currentLocale } from "@/lib/i18n/request-locale";
import { purposeText } from "@/lib/domain/purposes";
import { getSession } from "@/lib/web/session";

type Translate = Awaited<ReturnType<typeof getTranslations<"home">>>;

/**
 * "Grace Hopper: first name, last name, profile photo. No username." Whole sentences, each one
 * message: the missing fields go through a plural, so each language words its own "or".
 */
function describePersona(t: Translate, persona: DemoPersonaCard): ReactNode {
  const word = (f: PersonaProfileField) => t(`persona.fields.${f}`);
  const [f1 = "", f2 = "", f3 = ""] = persona.lacks.map(word);
  return (
    <>
      {t.rich("persona.has", {
        name: persona.name,
        fields: persona.has.map(word).join(t("persona.separator")),
        bdi: (chunks) => <bdi>{chunks}</bdi>,
      })}
      {persona.lacks.length > 0 && <> {t("persona.lacks", { count: persona.lacks.length, f1, f2, f3 })}</>}
      {persona.admin && <> {t("persona.admin")}</>}
    </>
  );
}

export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [user, params, t, locale] = await Promise.all([
    getSession(),
    searchParams,
    getTranslations("home"),
    currentLocale(),
  ]);
  const e = env();
  const personas = e.demo
    ? demoPersonaList().map((p) => ({ id: p.id, label: p.label, admin: p.admin, description: describePersona(t, p) }))
    : null;
  return (
    <>
      {!user && <SessionEnded />}
      <h1>{t("title")}</h1>
      {params.erased === "1" && (
        <p className="notice ok" role="status">
          {t("erased")}
        </p>
      )}
      {params["signed-out"] === "1" && !user && (
        <p className="notice" role="status">
          {t("signedOut")}
        </p>
      )}
      {params.signin === "required" && !user && (
        <p className="notice" role="status">
          {t("signInRequired")}
        </p>
      )}
      {params.cancelled === "1" && !user && (
        <p className="notice" role="status">
          {t("cancelled")}
        </p>
      )}
      <p>{t("intro")}</p>
      {user ? (
        <p>{t.rich("signedIn", { link: (chunks) => <Link href="/settings">{chunks}</Link> })}</p>
      ) : (
        <section className="card" aria-labelledby="signin">
          <h2 id="signin">{t("signInHeading")}</h2>
          <LoginButton botId={e.botId} botUsername={e.botUsername} demoPersonas={personas} />
          {e.oidc && (
            <p>
              {/* A plain link: the server redirects to Telegram, so the CSP needs nothing new. */}
              <a className="button telegram" href="/api/auth/oidc/start">
                {t("oidcButton")}
              </a>
            </p>
          )}
          {params.signin === "cancelled" && (
            <p className="notice" role="status">
              {t("cancelledInTelegram")}
            </p>
          )}
        </section>
      )}
      <section aria-labelledby="what">
        <h2 id="what">{t("whatHeading")}</h2>
        <ul>
          {catalogue().map((p) => (
            <li key={p.id}>
              {t.rich(p.required ? "purposeRequired" : "purposeOptional", {
                title: purposeText(p, locale).title,
                strong: (chunks) => <strong>{chunks}</strong>,
              })}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
