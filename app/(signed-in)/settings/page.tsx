import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { AccountReference, ContactLookups } from "@/components/contact-lookups";
import { ControllerNotice } from "@/components/controller-notice";
import { FieldValue } from "@/components/field-value";
import { ForgetNotice } from "@/components/forget-notice";
import { PhoneShare } from "@/components/phone-share";
import { ProfileCard } from "@/components/profile-card";
import { PurposeDetails } from "@/components/purpose-details";
import { PurposeToggle } from "@/components/purpose-toggle";
import { phoneShareWays } from "@/lib/use-cases/account";
import { accountReference, CONTACT_PURPOSE_ID, contactLookupsOf } from "@/lib/use-cases/contact";
import { demoPhoneSharingAvailable } from "@/lib/demo";
import { photoSource } from "@/lib/core/demo-personas";
import { env } from "@/lib/core/env";
import { getConsentOverview, type PurposeView } from "@/lib/data/consents";
import { currentLocale } from "@/lib/i18n/request-locale";
import { purposeText } from "@/lib/domain/purposes";
import { profileFrom, summaryOf } from "@/lib/data/me";
import { requireUser } from "@/lib/web/session";
import { phoneBotLinkAction, togglePurpose } from "./actions";

type PhoneNotice = "phoneSaved" | "phoneVerified" | "phoneNotShared" | "phoneCancelled";
// A Map, not an object literal: ?phone=__proto__ (or constructor, toString) must find nothing rather
// than a property every object inherits.
const PHONE_NOTICES = new Map<string, { ok: boolean; key: PhoneNotice }>([
  ["saved", { ok: true, key: "phoneSaved" }],
  ["verified", { ok: true, key: "phoneVerified" }],
  ["not-shared", { ok: false, key: "phoneNotShared" }],
  ["cancelled", { ok: false, key: "phoneCancelled" }],
]);

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("settings");
  return { title: t("metaTitle") };
}

/** A granted phone purpose still waiting for the number (or, for the one-time check, for the check). */
const awaitsPhone = (v: PurposeView) =>
  v.granted &&
  v.purpose.fields.includes("phone_number") &&
  (v.purpose.oneTime ? v.outcomeAt === null : !v.stored.some((f) => f.field === "phone_number"));

export default async function SettingsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const [overview, params, lookups, locale] = await Promise.all([
    getConsentOverview(user),
    searchParams,
    contactLookupsOf(user.id),
    currentLocale(),
  ]);
  if (overview.some((v) => v.needsDecision)) redirect("/consent");
  const [t, tc, format] = await Promise.all([getTranslations("settings"), getTranslations("common"), getFormatter()]);
  // A date for a person, in their language; <time dateTime> keeps the machine-readable one.
  const dated = (d: Date) => ({
    date: format.dateTime(d, { dateStyle: "long" }),
    time: (chunks: ReactNode) => <time dateTime={d.toISOString()}>{chunks}</time>,
  });
  // The greeting is the display_name purpose at work: without that consent there is no name to use.
  const stored = profileFrom(overview);
  const profile = { ...stored, photoSrc: stored.photoUrl && photoSource(stored.photoUrl, env().demo) };
  const summary = summaryOf(overview);
  const phoneNotice = typeof params.phone === "string" ? PHONE_NOTICES.get(params.phone) : undefined;
  // The demo has no Telegram: its number came from the simulated share, and the notice says so.
  const demoPhone = demoPhoneSharingAvailable();
  // One offer to share the phone, in the first card that waits for it: one share serves both purposes.
  const shareIn = overview.find(awaitsPhone)?.purpose.id ?? null;
  const ways = phoneShareWays();
  // A kept number can be replaced through the same ways (own number, from Telegram): a person whose
  // number changed shares the new one instead of withdrawing and granting again.
  const replaceIn =
    shareIn === null
      ? (overview.find((v) => v.granted && !v.purpose.oneTime && v.stored.some((f) => f.field === "phone_number"))
          ?.purpose.id ?? null)
      : null;
  return (
    <>
      <h1>
        {profile.firstName
          ? t.rich("headingNamed", { name: profile.firstName, bdi: (chunks) => <bdi>{chunks}</bdi> })
          : t("heading")}
      </h1>
      <ForgetNotice />
      {params.welcome === "1" && (
        <p className="notice ok" role="status">
          {t("notices.welcome")}
        </p>
      )}
      {params.saved === "1" && (
        <p className="notice ok" role="status">
          {t("notices.saved")}
        </p>
      )}
      {phoneNotice && (
        <p className={phoneNotice.ok ? "notice ok" : "notice"} role="status">
          {t(
            `notices.${demoPhone && phoneNotice.ok ? (phoneNotice.key === "phoneSaved" ? "demoPhoneSaved" : "demoPhoneVerified") : phoneNotice.key}`,
          )}
        </p>
      )}
      <ProfileCard profile={profile} />
      <section className="card" aria-labelledby="summary">
        <h2 id="summary">{t("summary.heading")}</h2>
        <p data-testid="summary-counts">
          {t("summary.counts", {
            kept: summary.keptFields,
            possible: summary.possibleFields,
            purposes: summary.purposesKeeping,
          })}
        </p>
        <ul className="summary">
          {overview.map((v) => {
            const values = {
              title: purposeText(v.purpose, locale).title,
              granted: v.granted ? "yes" : "no",
              link: (chunks: ReactNode) => <a href={`#card-${v.purpose.id}`}>{chunks}</a>,
            };
            return (
              <li key={v.purpose.id}>
                {v.stored.length
                  ? t.rich("summary.itemWithFields", {
                      ...values,
                      fields: format.list(
                        v.stored.map((f) => t(`summary.fieldNames.${f.field}`)),
                        { type: "conjunction", style: "narrow" },
                      ),
                    })
                  : t.rich("summary.item", values)}
              </li>
            );
          })}
        </ul>
        <AccountReference reference={accountReference(user.id)} />
      </section>
      <p>{t("intro")}</p>
      {overview.map((v) => (
        <section className="card" key={v.purpose.id} id={`card-${v.purpose.id}`} aria-labelledby={`p-${v.purpose.id}`}>
          <h2 id={`p-${v.purpose.id}`}>
            {purposeText(v.purpose, locale).title}
            {v.granted ? (
              <span className="tag on">
                {v.decidedAt ? t.rich("purpose.grantedSince", dated(v.decidedAt)) : t("purpose.granted")}
              </span>
            ) : (
              <span className="tag">{t("purpose.notGranted")}</span>
            )}
            {v.purpose.required && <span className="tag required">{t("purpose.required")}</span>}
          </h2>
          <PurposeDetails purpose={v.purpose} locale={locale} idPrefix="settings" />
          <h3 className="muted">{t("purpose.storedNow")}</h3>
          {v.purpose.oneTime ? (
            <p data-testid={`stored-${v.purpose.id}`}>
              {v.outcomeAt ? t.rich("purpose.verifiedOn", dated(v.outcomeAt)) : t("purpose.nothing")}
            </p>
          ) : v.stored.length ? (
            <dl className="fields" data-testid={`stored-${v.purpose.id}`}>
              {v.stored.map((f) => (
                <div key={f.field} className="contents">
                  <dt>{tc(`fields.${f.field}`)}</dt>
                  <dd>
                    {f.value !== null ? (
                      <FieldValue field={f.field} value={f.value} />
                    ) : (
                      <em>{t("purpose.undecryptable")}</em>
                    )}{" "}
                    <span className="muted">{t.rich("purpose.purgeOn", dated(f.purgeAt))}</span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p data-testid={`stored-${v.purpose.id}`}>{t("purpose.nothing")}</p>
          )}
          {v.purpose.id === CONTACT_PURPOSE_ID && <ContactLookups lookups={lookups} />}
          {shareIn === v.purpose.id && <PhoneShare ways={ways} botLinkAction={phoneBotLinkAction} />}
          {replaceIn === v.purpose.id && <PhoneShare ways={ways} botLinkAction={phoneBotLinkAction} replace />}
          {shareIn !== null && shareIn !== v.purpose.id && awaitsPhone(v) && (
            <p className="muted">{t("purpose.shareAbove")}</p>
          )}
          {!v.purpose.required && (
            <PurposeToggle
              title={purposeText(v.purpose, locale).title}
              locale={locale}
              granted={v.granted}
              action={togglePurpose.bind(null, v.purpose.id)}
              permalink={`/settings#card-${v.purpose.id}`}
            />
          )}
        </section>
      ))}
      <section className="card" aria-labelledby="copy">
        <h2 id="copy">{t("copy.heading")}</h2>
        <div className="row">
          <Link className="button secondary" href="/settings/export">
            {t("copy.readData")}
          </Link>
          <a className="button secondary" href="/api/me/export" download>
            {t("copy.downloadData")}
          </a>
          <Link className="button secondary" href="/settings/receipt">
            {t("copy.readReceipt")}
          </Link>
          <a className="button secondary" href="/api/me/receipt" download>
            {t("copy.downloadReceipt")}
          </a>
        </div>
      </section>
      <ControllerNotice />
      <section className="card" aria-labelledby="leave">
        <h2 id="leave">{t("leave.heading")}</h2>
        <div className="row">
          {/* A route handler, not an action: its 303 carries Clear-Site-Data. */}
          <form action="/api/auth/logout?everywhere=1" method="post">
            <button type="submit" className="secondary">
              {t("leave.logOutEverywhere")}
            </button>
          </form>
          <Link className="button secondary" href="/settings/delete">
            {t("leave.delete")}
          </Link>
        </div>
      </section>
    </>
  );
}
