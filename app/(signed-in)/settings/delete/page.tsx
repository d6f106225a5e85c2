import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireUser } from "@/lib/web/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("settings.delete");
  return { title: t("metaTitle") };
}

export default async function DeletePage() {
  await requireUser();
  const t = await getTranslations("settings.delete");
  return (
    <>
      <h1>{t("heading")}</h1>
      <div className="card">
        <p>{t("intro")}</p>
        <ul>
          <li>{t("erased")}</li>
          <li>{t("signedOut")}</li>
          <li>{t("remains")}</li>
        </ul>
        <p>{t.rich("downloadFirst", { link: (chunks) => <Link href="/settings">{chunks}</Link> })}</p>
        <div className="row">
          {/* A route handler, not an action: its 303 carries Clear-Site-Data. */}
          <form action="/api/me/delete" method="post">
            <button type="submit" className="danger">
              {t("confirm")}
            </button>
          </form>
          <Link className="button secondary" href="/settings">
            {t("keep")}
          </Link>
        </div>
      </div>
    </>
  );
}
