import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { PrintButton } from "@/components/print-button";
import { purposeById } from "@/lib/domain/catalogue";
import { consentReceipt } from "@/lib/data/export";
import { env } from "@/lib/core/env";
import { LOCALE_NAMES, textDirection } from "@/lib/i18n/locales";
import { currentLocale } from "@/lib/i18n/request-locale";
import { requireUser } from "@/lib/web/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("records.receipt");
  return { title: t("metaTitle") };
}

// The same receipt as GET /api/me/receipt (same function), laid out for reading and printing. The
// JSON keeps its English values and ISO dates; this page says them in the language of the latest
// decision it records (the language the person last read our purposes in), whatever the site's
// language is now: receipt.language.
export default async function ReceiptPage() {
  const user = await requireUser();
  const receipt = await consentReceipt(user, await currentLocale());
  const controller = receipt.piiControllers[0]!;
  const locale = receipt.language;
  const [t, tr, tc, format] = await Promise.all([
    getTranslations({ locale, namespace: "records.receipt" }),
    getTranslations({ locale, namespace: "records" }),
    getTranslations({ locale, namespace: "common" }),
    getFormatter({ locale }),
  ]);
  // Isolated from the text around them: <bdi> for what may be in any script (a name, a contact), <ltr>
  // for what always reads left to right (an id, a link, a path, a version).
  const bdi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const ltr = (chunks: ReactNode) => <bdi dir="ltr">{chunks}</bdi>;
  const lastDecision = new Date(receipt.consentTimestamp * 1000);
  return (
    <div lang={locale} dir={textDirection(locale)}>
      <h1>{t("heading")}</h1>
      <p>
        {t.rich("intro", {
          version: receipt.version,
          ltr,
          link: (chunks) => (
            <a href="/api/me/receipt" download>
              {chunks}
            </a>
          ),
        })}
      </p>
      <div className="row no-print">
        <PrintButton />
        <Link href="/settings">{tr("back")}</Link>
      </div>
      <section className="card" aria-labelledby="receipt-about">
        <h2 id="receipt-about">{t("about")}</h2>
        <dl className="fields">
          <dt>{t("id")}</dt>
          <dd>
            <bdi dir="ltr">{receipt.consentReceiptID}</bdi>
          </dd>
          <dt>{t("lastDecision")}</dt>
          <dd>
            {t.rich("lastDecisionAt", {
              date: format.dateTime(lastDecision, { dateStyle: "long", timeStyle: "medium" }),
              time: (chunks) => <time dateTime={lastDecision.toISOString()}>{chunks}</time>,
            })}
          </dd>
          <dt>{t("controller")}</dt>
          <dd>
            {t.rich("controllerValue", {
              // The JSON keeps the placeholders in English; the page says them in the receipt's language.
              name: env().controller.nameSet ? controller.piiController : tc("controllerPlaceholder.name"),
              contact: env().controller.contactSet ? controller.contact : tc("controllerPlaceholder.contact"),
              bdi,
            })}
          </dd>
          <dt>{t("policy")}</dt>
          <dd data-testid="receipt-policy">
            {receipt.policyUrl ? <bdi dir="ltr">{receipt.policyUrl}</bdi> : t("noPolicy")}
          </dd>
          <dt>{t("jurisdiction")}</dt>
          <dd>{t("jurisdictionValue")}</dd>
          <dt>{t("how")}</dt>
          <dd>{t.rich("howValue", { ltr })}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="receipt-purposes">
        <h2 id="receipt-purposes">{t("purposes")}</h2>
        <ul>
          {receipt.services.flatMap((s) =>
            s.purposes.map((p) => {
              // The receipt is built from the catalogue in force, so its purpose is there, with field ids and days.
              const purpose = purposeById(p.purposeId);
              if (!purpose)
                return (
                  <li key={p.purposeId}>
                    <strong>{p.purpose}</strong>
                  </li>
                );
              return (
                <li key={p.purposeId} data-testid={`receipt-${p.purposeId}`}>
                  {t.rich(purpose.oneTime ? "purposeOneTime" : "purpose", {
                    purpose: p.purpose,
                    version: p.purposeVersion ?? "—",
                    date: p.grantedAt ? format.dateTime(new Date(p.grantedAt), { dateStyle: "long" }) : "—",
                    fields: format.list(
                      purpose.fields.map((f) => tc(`fields.${f}`)),
                      { type: "conjunction", style: "narrow" },
                    ),
                    days: purpose.retentionDays,
                    strong: (chunks) => <strong>{chunks}</strong>,
                    time: (chunks) => (p.grantedAt ? <time dateTime={p.grantedAt}>{chunks}</time> : chunks),
                    ltr,
                  })}{" "}
                  <span data-testid={`receipt-decision-${p.purposeId}`}>
                    {tr("receiptDecision.decidedOn", {
                      language: LOCALE_NAMES[p.language],
                      version: p.purposeVersion ?? "—",
                    })}{" "}
                    {p.text ? null : tr("receiptDecision.earlierText", { hash: p.textHash ?? "—" })}
                  </span>
                </li>
              );
            }),
          )}
        </ul>
      </section>
      {receipt.notGranted.length > 0 && (
        <section className="card" aria-labelledby="receipt-not-granted">
          <h2 id="receipt-not-granted">{t("notGranted")}</h2>
          <ul>
            {receipt.notGranted.map((p) => (
              <li key={p.purposeId} data-testid={`receipt-not-granted-${p.purposeId}`}>
                {t.rich("notGrantedItem", {
                  purpose: p.purpose,
                  decision: p.decision ?? "none",
                  date: p.at ? format.dateTime(new Date(p.at), { dateStyle: "long" }) : "—",
                  strong: (chunks) => <strong>{chunks}</strong>,
                  time: (chunks) => (p.at ? <time dateTime={p.at}>{chunks}</time> : chunks),
                })}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
