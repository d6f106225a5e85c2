import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getSession } from "@/lib/web/session";

export async function generateMetadata() {
  const t = await getTranslations("errors");
  return { title: t("signInFailed.metaTitle") };
}

// The reasons the OpenID Connect callback can give a browser (a closed set in the URL, each one
// message); anything else reads as the generic one.
const REASONS = {
  restart: "restart",
  "not-confirmed": "notConfirmed",
  taken: "taken",
  unavailable: "unavailable",
} as const;

export default async function SignInFailedPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [user, params, t] = await Promise.all([getSession(), searchParams, getTranslations("errors")]);
  const reason =
    typeof params.reason === "string" && Object.hasOwn(REASONS, params.reason)
      ? REASONS[params.reason as keyof typeof REASONS]
      : REASONS["not-confirmed"];
  return (
    <>
      <h1>{t("signInFailed.title")}</h1>
      <p className="notice error" role="alert">
        {t(`signInFailed.reasons.${reason}`)} {t("signInFailed.nothingStored")}
      </p>
      <p>
        {user ? (
          <Link href="/settings">{t("signInFailed.backToData")}</Link>
        ) : (
          <Link href="/#signin">{t("signInFailed.backToStart")}</Link>
        )}
      </p>
    </>
  );
}
