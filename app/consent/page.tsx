import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { ConsentForm } from "@/components/consent-form";
import { ControllerNotice } from "@/components/controller-notice";
import { SessionEnded } from "@/components/session-state";
import { SubmitButton } from "@/components/submit-button";
import { valuesSentBy } from "@/lib/use-cases/account";
import { catalogue } from "@/lib/domain/catalogue";
import { getConsentOverview } from "@/lib/data/consents";
import { photoSource } from "@/lib/core/demo-personas";
import { env } from "@/lib/core/env";
import { PENDING_TTL_SECONDS } from "@/lib/web/session-cookie";
import { currentLocale } from "@/lib/i18n/request-locale";
import { getPendingSignIn, getSession } from "@/lib/web/session";
import { cancelSignIn, saveConsent } from "./actions";

export async function generateMetadata() {
  const t = await getTranslations("consent");
  return { title: t("metaTitle") };
}

export default async function ConsentPage() {
  const [user, locale, t] = await Promise.all([getSession(), currentLocale(), getTranslations("consent")]);
  if (user) {
    // Only what changed since the user decided (or was added since) is asked again.
    const overview = (await getConsentOverview(user)).filter((v) => v.needsDecision);
    if (overview.length === 0) redirect("/settings");
    return (
      <>
        <h1>{t("changed.title")}</h1>
        <p>{t("changed.intro")}</p>
        <ControllerNotice />
        <ConsentForm
          purposes={overview.map((v) => ({ purpose: v.purpose, checked: false, changed: v.decidedAt !== null }))}
          values={null}
          locale={locale}
          action={saveConsent}
        />
      </>
    );
  }
  const pending = await getPendingSignIn();
  if (!pending) {
    // Reached by Back after Cancel, an old tab or a bookmark: a page that says why, not a blank one.
    return (
      <>
        <SessionEnded />
        <h1>{t("noSignIn.title")}</h1>
        <p>{t("noSignIn.body", { minutes: PENDING_TTL_SECONDS / 60 })}</p>
        <p>
          <Link href="/#signin">{t("noSignIn.link")}</Link>
        </p>
      </>
    );
  }
  const sent = valuesSentBy(pending);
  return (
    <>
      <h1>{t("first.title")}</h1>
      <p>{t("first.intro")}</p>
      <p className="muted">{t("first.sentNote")}</p>
      <ControllerNotice />
      <ConsentForm
        purposes={catalogue().map((purpose) => ({ purpose, checked: false, changed: false }))}
        values={sent}
        photoSrc={sent.photo_url ? photoSource(sent.photo_url, env().demo) : null}
        locale={locale}
        action={saveConsent}
      />
      <form action={cancelSignIn} className="row spaced">
        <SubmitButton className="secondary" pendingLabel={t("first.cancelling")}>
          {t("first.cancel")}
        </SubmitButton>
      </form>
    </>
  );
}
