import Link from "next/link";
import { redirect } from "next/navigation";
import { AccountReference, ContactLookups } from "@/components/contact-lookups";
import { ControllerNotice } from "@/components/controller-notice";
import { PhoneShare } from "@/components/phone-share";
import { ProfileCard } from "@/components/profile-card";
import { PurposeDetails } from "@/components/purpose-details";
import { PurposeToggle } from "@/components/purpose-toggle";
import { phoneShareWays } from "@/lib/account";
import { accountReference, CONTACT_PURPOSE_ID, contactLookupsOf } from "@/lib/contact";
import { getConsentOverview, type PurposeView } from "@/lib/data/consents";
import { profileFrom, summaryOf } from "@/lib/data/me";
import { FIELDS } from "@/lib/fields";
import { currentLocale } from "@/lib/i18n/request-locale";
import { purposeText } from "@/lib/purposes";
import { requireUser } from "@/lib/session";
import { phoneBotLinkAction, togglePurpose } from "./actions";

const PHONE_NOTICES: Record<string, { ok: boolean; text: string }> = {
  saved: { ok: true, text: "Your phone number from Telegram is saved, encrypted." },
  verified: { ok: true, text: "Telegram confirmed your phone number. We noted the date only, not the number." },
  "not-shared": { ok: false, text: "Telegram did not share a phone number, so nothing was stored." },
  cancelled: { ok: false, text: "Sharing was cancelled in Telegram. Nothing was stored." },
};

export const metadata = { title: "Your data · Consent-first login" };

const date = (d: Date) => d.toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

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
    getConsentOverview(user.id),
    searchParams,
    contactLookupsOf(user.id),
    currentLocale(),
  ]);
  if (overview.some((v) => v.needsDecision)) redirect("/consent");
  // The greeting is the display_name purpose at work: without that consent there is no name to use.
  const profile = profileFrom(overview);
  const summary = summaryOf(overview);
  const phoneNotice = typeof params.phone === "string" ? PHONE_NOTICES[params.phone] : undefined;
  // One offer to share the phone, in the first card that waits for it: one share serves both purposes.
  const shareIn = overview.find(awaitsPhone)?.purpose.id ?? null;
  const ways = phoneShareWays();
  return (
    <>
      <h1>Your data{profile.firstName ? `, ${profile.firstName}` : ""}</h1>
      {params.welcome === "1" && (
        <p className="notice ok" role="status">
          Your account is ready. Below is exactly what we keep.
        </p>
      )}
      {params.saved === "1" && (
        <p className="notice ok" role="status">
          Your choices are saved.
        </p>
      )}
      {phoneNotice && (
        <p className={phoneNotice.ok ? "notice ok" : "notice"} role="status">
          {phoneNotice.text}
        </p>
      )}
      <ProfileCard profile={profile} />
      <section className="card" aria-labelledby="summary">
        <h2 id="summary">Summary</h2>
        <p>
          We keep {summary.keptFields} of {plural(summary.possibleFields, "field")}, for{" "}
          {plural(summary.grantedPurposes, "purpose")}.
        </p>
        <ul className="summary">
          {overview.map((v) => (
            <li key={v.purpose.id}>
              <a href={`#card-${v.purpose.id}`}>{purposeText(v.purpose, locale).title}</a>:{" "}
              {v.granted ? "granted" : "not granted"}
              {v.stored.length ? `, ${v.stored.map((f) => FIELDS[f.field].label.toLowerCase()).join(", ")}` : ""}
            </li>
          ))}
        </ul>
        <AccountReference reference={accountReference(user.id)} />
      </section>
      <p>Each purpose below shows whether you agreed, what is stored under it, and when it will be deleted.</p>
      {overview.map((v) => (
        <section className="card" key={v.purpose.id} id={`card-${v.purpose.id}`} aria-labelledby={`p-${v.purpose.id}`}>
          <h2 id={`p-${v.purpose.id}`}>
            {purposeText(v.purpose, locale).title}
            {v.granted ? (
              <span className="tag on">granted{v.decidedAt ? ` since ${date(v.decidedAt)}` : ""}</span>
            ) : (
              <span className="tag">not granted</span>
            )}
            {v.purpose.required && <span className="tag required">required</span>}
          </h2>
          <PurposeDetails purpose={v.purpose} locale={locale} idPrefix="settings" />
          <h3 className="muted">Stored now</h3>
          {v.purpose.oneTime ? (
            <p data-testid={`stored-${v.purpose.id}`}>
              {v.outcomeAt ? `Verified on ${date(v.outcomeAt)}. Nothing else is kept.` : "Nothing."}
            </p>
          ) : v.stored.length ? (
            <dl className="fields" data-testid={`stored-${v.purpose.id}`}>
              {v.stored.map((f) => (
                <div key={f.field} className="contents">
                  <dt>{FIELDS[f.field].label}</dt>
                  <dd>
                    {f.value ?? <em>can no longer be decrypted</em>}{" "}
                    <span className="muted">(deleted on {date(f.purgeAt)} unless refreshed)</span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p data-testid={`stored-${v.purpose.id}`}>Nothing.</p>
          )}
          {v.purpose.id === CONTACT_PURPOSE_ID && <ContactLookups lookups={lookups} />}
          {shareIn === v.purpose.id && <PhoneShare ways={ways} botLinkAction={phoneBotLinkAction} />}
          {shareIn !== null && shareIn !== v.purpose.id && awaitsPhone(v) && (
            <p className="muted">Share your number once, above: it serves this purpose too.</p>
          )}
          {!v.purpose.required && (
            <PurposeToggle
              title={purposeText(v.purpose, locale).title}
              locale={locale}
              granted={v.granted}
              action={togglePurpose.bind(null, v.purpose.id)}
            />
          )}
        </section>
      ))}
      <section className="card" aria-labelledby="copy">
        <h2 id="copy">Your copy</h2>
        <div className="row">
          <Link className="button secondary" href="/settings/export">
            Read my data (printable)
          </Link>
          <a className="button secondary" href="/api/me/export" download>
            Download my data (JSON)
          </a>
          <Link className="button secondary" href="/settings/receipt">
            Read my consent receipt (printable)
          </Link>
          <a className="button secondary" href="/api/me/receipt" download>
            Download my consent receipt
          </a>
        </div>
      </section>
      <ControllerNotice />
      <section className="card" aria-labelledby="leave">
        <h2 id="leave">Sessions and deletion</h2>
        <div className="row">
          {/* A route handler, not an action: its 303 carries Clear-Site-Data. */}
          <form action="/api/auth/logout?everywhere=1" method="post">
            <button type="submit" className="secondary">
              Log out on every device
            </button>
          </form>
          <Link className="button secondary" href="/settings/delete">
            Delete my data…
          </Link>
        </div>
      </section>
    </>
  );
}
