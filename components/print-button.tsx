"use client";
import { useTranslations } from "next-intl";

/** The browser's own print dialog; without JavaScript the browser's menu does the same. */
export function PrintButton() {
  const t = useTranslations("records");
  return (
    <button type="button" className="secondary no-print" onClick={() => window.print()}>
      {t("print")}
    </button>
  );
}
