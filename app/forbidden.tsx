import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getSession } from "@/lib/web/session";

export default async function Forbidden() {
  const [user, t] = await Promise.all([getSession(), getTranslations("errors")]);
  return (
    <>
      <h1>{t("forbidden.title")}</h1>
      <p>{t("forbidden.body")}</p>
      {user ? (
        <p>
          <Link href="/">{t("forbidden.back")}</Link>
        </p>
      ) : (
        <p>{t.rich("forbidden.signInFirst", { link: (chunks) => <Link href="/#signin">{chunks}</Link> })}</p>
      )}
    </>
  );
}
