import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { DemoPhoneShareForm } from "@/components/demo-phone-share";
import { demoPersonaOf, demoPhoneDisplay, demoPhoneSharingAvailable } from "@/lib/demo";
import { requireUser } from "@/lib/web/session";
import { shareDemoPhoneAction } from "./actions";

export async function generateMetadata() {
  const t = await getTranslations("demo");
  return { title: t("phone.metaTitle") };
}

export default async function DemoPhonePage() {
  if (!demoPhoneSharingAvailable()) notFound();
  const user = await requireUser();
  const persona = demoPersonaOf(user);
  if (!persona) notFound();
  const phone = demoPhoneDisplay(persona);
  const t = await getTranslations("demo");
  return (
    <>
      <h1>{t("phone.title")}</h1>
      <p className="notice demo" role="note">
        {t("phone.simulated")}
      </p>
      {/* A phone number reads left to right even inside a right-to-left sentence. */}
      <p>{t.rich("phone.explanation", { phone, bdi: (chunks) => <bdi dir="ltr">{chunks}</bdi> })}</p>
      <DemoPhoneShareForm action={shareDemoPhoneAction} phone={phone} />
      <p>
        <Link href="/settings">{t("phone.back")}</Link>
      </p>
    </>
  );
}
