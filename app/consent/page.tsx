import Link from "next/link";
import { redirect } from "next/navigation";
import { ConsentForm } from "@/components/consent-form";
import { ControllerNotice } from "@/components/controller-notice";
import { SessionEnded } from "@/components/session-state";
import { SubmitButton } from "@/components/submit-button";
import { valuesSentBy } from "@/lib/account";
import { catalogue } from "@/lib/catalogue";
import { getConsentOverview } from "@/lib/data/consents";
import { currentLocale } from "@/lib/i18n/request-locale";
import { getPendingSignIn, getSession } from "@/lib/session";
import { cancelSignIn, saveConsent } from "./actions";

export const metadata = { title: "Your consent · Consent-first login" };

export default async function ConsentPage() {
  const [user, locale] = await Promise.all([getSession(), currentLocale()]);
  if (user) {
    // Only what changed since the user decided (or was added since) is asked again.
    const overview = (await getConsentOverview(user.id)).filter((v) => v.needsDecision);
    if (overview.length === 0) redirect("/settings");
    return (
      <>
        <h1>Some of our purposes have changed</h1>
        <p>We changed how we describe the purposes below, or added them. Please decide again; nothing else changes.</p>
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
        <h1>No sign-in is waiting</h1>
        <p>
          A sign-in waits here for your decision for 10 minutes, until you save or cancel it. This one was cancelled or
          has expired. Nothing was stored.
        </p>
        <p>
          <Link href="/#signin">Sign in with Telegram</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Before we create your account</h1>
      <p>
        Telegram confirmed who you are. Nothing about you is stored yet. Choose below what we may keep; optional
        purposes start off, and you can change your mind later on the settings page.
      </p>
      <p className="muted">
        Beside each purpose is exactly what Telegram sent for it and what would be kept. Anything else it sent is
        discarded.
      </p>
      <ControllerNotice />
      <ConsentForm
        purposes={catalogue().map((purpose) => ({ purpose, checked: false, changed: false }))}
        values={valuesSentBy(pending)}
        locale={locale}
        action={saveConsent}
      />
      <form action={cancelSignIn} className="row spaced">
        <SubmitButton className="secondary" pendingLabel="Cancelling…">
          Cancel and do not create an account
        </SubmitButton>
      </form>
    </>
  );
}
