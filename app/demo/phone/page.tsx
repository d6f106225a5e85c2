import Link from "next/link";
import { notFound } from "next/navigation";
import { DemoPhoneShareForm } from "@/components/demo-phone-share";
import { demoPersonaOf, demoPhoneDisplay, demoPhoneSharingAvailable } from "@/lib/demo";
import { requireUser } from "@/lib/session";
import { shareDemoPhoneAction } from "./actions";

export const metadata = { title: "Share a phone number (demo) · Consent-first login" };

export default async function DemoPhonePage() {
  if (!demoPhoneSharingAvailable()) notFound();
  const user = await requireUser();
  const persona = demoPersonaOf(user);
  if (!persona) notFound();
  const phone = demoPhoneDisplay(persona);
  return (
    <>
      <h1>Share a phone number (demo)</h1>
      <p className="notice demo" role="note">
        Simulated: this demo stands in for Telegram. No Telegram is involved and the number is fictional.
      </p>
      <p>
        On a real site, Telegram asks you to confirm sharing your own number (through its sign-in or the bot&apos;s
        contact button), then sends it to this server. Here the demo sends your persona&apos;s fictional number, {phone}
        , to the same server code: it is kept only if you granted a purpose that uses a phone number, and then only
        encrypted.
      </p>
      <DemoPhoneShareForm action={shareDemoPhoneAction} phone={phone} />
      <p>
        <Link href="/settings">Back to your data</Link>
      </p>
    </>
  );
}
