"use client";
import { useTranslations } from "next-intl";
import { useScripted } from "./use-scripted";

/**
 * The browser's own print dialog. The button needs JavaScript, so it appears only once scripts run;
 * without them the page says where the browser's own Print command is instead of showing a button
 * that does nothing.
 */
export function PrintButton() {
  const t = useTranslations("records");
  if (!useScripted()) return <span className="muted no-print">{t("printNoScript")}</span>;
  return (
    <button type="button" className="secondary no-print" onClick={() => window.print()}>
      {t("print")}
    </button>
  );
}
