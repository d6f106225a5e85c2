"use client";
import { useTranslations } from "next-intl";

// Outages land here. Never show internals: the digest lets an operator find the log line.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("errors");
  return (
    <>
      <h1>{t("error.title")}</h1>
      <p>{t("error.body")}</p>
      {error.digest && (
        <p className="muted">
          {t.rich("error.reference", { digest: error.digest, bdi: (chunks) => <bdi>{chunks}</bdi> })}
        </p>
      )}
      <button type="button" onClick={reset}>
        {t("error.tryAgain")}
      </button>
    </>
  );
}
